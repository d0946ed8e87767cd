import Foundation
import WeirKafka
import XCTest

/// What the engine does inside rebalance events: choose start offsets on assignment
/// (from its checkpoint markers) and commit on revocation.
final class RebalanceCallbackTests: XCTestCase {
    final class Holder { weak var consumer: KafkaConsumer? }

    func testStartOffsetsOnAssignAndCommitOnRevoke() throws {
        let broker = try EmbeddedBroker()
        try broker.createTopic("restore", partitions: 2)
        let producer = try KafkaProducer(config: TestConfig.producer(broker))
        let topic = try producer.topic("restore")
        for partition in Int32(0)..<2 {
            for i in 0..<10 { try producer.send(topic, partition: partition, key: "\(i)", value: "p\(partition)-\(i)") }
        }
        try producer.flush(timeoutMs: 5000)

        let holder = Holder()
        var commitError: Error?
        var committedInCallback = false
        let consumer = try KafkaConsumer(config: TestConfig.consumer(broker, group: "restore-group"), onRebalance: { event in
            switch event {
            case .assigned(let partitions):
                // As if checkpoint markers said: resume partition 0 at 7, partition 1 at 3.
                holder.consumer?.setStartOffsets(partitions.map { TopicPartitionOffset($0, offset: $0.partition == 0 ? 7 : 3) })
            case .revoked(let partitions), .lost(let partitions):
                do {
                    // Still assigned here: the commit must go through before the partitions move.
                    try holder.consumer?.commit(offsets: partitions.map { TopicPartitionOffset($0, offset: 10) })
                    committedInCallback = true
                } catch { commitError = error }
            }
        })
        holder.consumer = consumer
        try consumer.subscribe(["restore"])
        let records = consumer.drain(seconds: 20) { $0.count >= 10 }
        XCTAssertEqual(records.filter { $0.partition == 0 }.map(\.offset), [7, 8, 9], "partition 0 resumed at 7")
        XCTAssertEqual(records.filter { $0.partition == 1 }.map(\.offset), [3, 4, 5, 6, 7, 8, 9], "partition 1 resumed at 3")
        consumer.close()
        XCTAssertTrue(committedInCallback)
        XCTAssertNil(commitError)

        let checker = try KafkaConsumer(config: TestConfig.consumer(broker, group: "restore-group"), onRebalance: { _ in })
        defer { checker.close() }
        let committed = try checker.committed([TopicPartition(topic: "restore", partition: 0), TopicPartition(topic: "restore", partition: 1)])
        XCTAssertEqual(committed.map(\.offset), [10, 10], "the commit made inside the revoke callback is stored")
    }

    /// pause/resume and seek on an assigned partition.
    func testPauseResumeAndSeek() throws {
        let broker = try EmbeddedBroker()
        try broker.createTopic("seek", partitions: 1)
        let producer = try KafkaProducer(config: TestConfig.producer(broker))
        let topic = try producer.topic("seek")
        for i in 0..<20 { try producer.send(topic, partition: 0, key: "\(i)", value: "\(i)") }
        try producer.flush(timeoutMs: 5000)

        let consumer = try KafkaConsumer(config: TestConfig.consumer(broker, group: nil), onRebalance: { _ in })
        defer { consumer.close() }
        let tp = TopicPartition(topic: "seek", partition: 0)
        try consumer.assign([TopicPartitionOffset(tp, offset: TopicPartitionOffset.beginning)])
        let first = consumer.drain(seconds: 10) { $0.count >= 20 }
        XCTAssertEqual(first.map(\.offset), Array(0..<20))
        XCTAssertEqual(try consumer.position([tp]).first?.offset, 20)

        try consumer.seek(topic: "seek", partition: 0, offset: 15)
        let again = consumer.drain(seconds: 10) { $0.count >= 5 }
        XCTAssertEqual(again.map(\.offset), [15, 16, 17, 18, 19])

        try consumer.pause([tp])
        try consumer.seek(topic: "seek", partition: 0, offset: 0)
        let whilePaused = consumer.drain(seconds: 0.5) { _ in false }
        XCTAssertTrue(whilePaused.isEmpty, "a paused partition yields nothing")
        try consumer.resume([tp])
        let resumed = consumer.drain(seconds: 10) { $0.count >= 20 }
        XCTAssertEqual(resumed.first?.offset, 0)
        XCTAssertEqual(resumed.count, 20)
    }
}
