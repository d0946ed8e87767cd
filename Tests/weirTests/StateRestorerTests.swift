import XCTest
import WeirEngine
import WeirKafka
import Foundation
import Logging

/// The restorer against the embedded broker: it must pick the newest marker and
/// exactly that checkpoint's chunks, ignoring chunks without a marker (an
/// unfinished transaction) and other checkpoints' chunks.
final class StateRestorerTests: XCTestCase {
    func produce(_ producer: KafkaProducer, _ topic: KafkaTopicHandle, _ key: [UInt8], _ value: [UInt8]) throws {
        try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try producer.produce(topic, partition: 1, key: k, value: v) } }
    }

    func testNewestCompleteCheckpointWins() throws {
        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        try broker.createTopic("job-state", partitions: 2)
        let producer = try KafkaProducer(config: KafkaConfig(bootstrapServers: broker.bootstrapServers))
        let state = try producer.topic("job-state")
        func checkpoint(_ id: UInt64, chunks: [[UInt8]], next: Int64, marker: Bool = true, partition: Int32 = 3) throws {
            for (i, c) in chunks.enumerated() {
                try produce(producer, state, StateChunk.key(topic: "in", partition: partition, index: UInt32(i)),
                            StateChunk(checkpointID: id, index: UInt32(i), count: UInt32(chunks.count), payload: c).encoded())
            }
            if marker {
                try produce(producer, state, CheckpointMarker.key(topic: "in", partition: partition),
                            CheckpointMarker(checkpointID: id, topic: "in", partition: partition, nextOffset: next, watermark: 0,
                                             maxEventTime: 99, chunkCount: UInt32(chunks.count)).encoded())
            }
        }
        try checkpoint(10, chunks: [[1], [2]], next: 100)
        try checkpoint(11, chunks: [[3], [4], [5]], next: 200)
        try checkpoint(12, chunks: [[9]], next: 999, partition: 13)        // another partition's
        try checkpoint(13, chunks: [[6], [7]], next: 300, marker: false)   // unfinished: no marker
        // many unrelated records after, so the backwards scan must widen its window
        for i in 0..<1500 { try checkpoint(UInt64(1000 + i), chunks: [], next: 0, partition: 20 + Int32(i % 5)) }
        try producer.flush(timeoutMs: 10_000)

        let restorer = try StateRestorer(kafka: KafkaConfig(bootstrapServers: broker.bootstrapServers), stateTopic: "job-state",
                                         logger: Logger(label: "test"))
        defer { restorer.close() }
        let r = try XCTUnwrap(try restorer.restore(topic: "in", partition: 3, statePartition: 1))
        XCTAssertEqual(r.marker.checkpointID, 11)
        XCTAssertEqual(r.marker.nextOffset, 200)
        XCTAssertEqual(r.marker.maxEventTime, 99)
        XCTAssertEqual(r.chunks, [[3], [4], [5]])
        XCTAssertNil(try restorer.restore(topic: "in", partition: 4, statePartition: 1), "no checkpoint for this partition")
        XCTAssertNil(try restorer.restore(topic: "in", partition: 3, statePartition: 0), "empty state partition")
    }

    /// Writes one checkpoint of input partition `partition` into state partition `sp`.
    func writeCheckpoint(_ producer: KafkaProducer, _ state: KafkaTopicHandle, sp: Int32, id: UInt64, partition: Int32,
                         chunks: [[UInt8]], next: Int64) throws {
        func put(_ key: [UInt8], _ value: [UInt8]) throws {
            try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try producer.produce(state, partition: sp, key: k, value: v) } }
        }
        for (i, c) in chunks.enumerated() {
            try put(StateChunk.key(topic: "in", partition: partition, index: UInt32(i)),
                    StateChunk(checkpointID: id, index: UInt32(i), count: UInt32(chunks.count), payload: c).encoded())
        }
        try put(CheckpointMarker.key(topic: "in", partition: partition),
                CheckpointMarker(checkpointID: id, topic: "in", partition: partition, nextOffset: next, watermark: 0,
                                 maxEventTime: nil, chunkCount: UInt32(chunks.count)).encoded())
    }

    /// An assignment's partitions are restored in one pass over all the state
    /// partitions they use, each to its own newest checkpoint.
    func testManyPartitionsInOnePass() throws {
        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        try broker.createTopic("job-state", partitions: 4)
        let producer = try KafkaProducer(config: KafkaConfig(bootstrapServers: broker.bootstrapServers))
        let state = try producer.topic("job-state")
        for round in 0..<3 {
            for p in 0..<12 where p != 5 {   // input partition 5 never checkpointed
                try writeCheckpoint(producer, state, sp: Int32(p % 4), id: UInt64(100 * round + p), partition: Int32(p),
                                    chunks: [[UInt8(p), UInt8(round)], [UInt8(round)]], next: Int64(1000 * round + p))
            }
        }
        try producer.flush(timeoutMs: 10_000)
        let restorer = try StateRestorer(kafka: KafkaConfig(bootstrapServers: broker.bootstrapServers), stateTopic: "job-state",
                                         logger: Logger(label: "test"))
        defer { restorer.close() }
        let requests = (0..<12).map { StateRestorer.Request(topic: "in", partition: Int32($0), statePartition: Int32($0 % 4)) }
        let started = Date()
        let found = try restorer.restore(requests)
        print("[timing] restore of 12 partitions over 4 state partitions: \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
        XCTAssertEqual(found.count, 11)
        XCTAssertNil(found[TopicPartition(topic: "in", partition: 5)])
        for p in 0..<12 where p != 5 {
            let r = try XCTUnwrap(found[TopicPartition(topic: "in", partition: Int32(p))], "partition \(p)")
            XCTAssertEqual(r.marker.checkpointID, UInt64(200 + p))
            XCTAssertEqual(r.marker.nextOffset, Int64(2000 + p))
            XCTAssertEqual(r.chunks, [[UInt8(p), 2], [2]])
        }
    }

    /// A slow broker must never turn "not read yet" into "no checkpoint": that
    /// started a partition over with empty state from the group's offsets
    /// (windows lost or counted short in the 200 ms crash test on CI).
    func testSlowBrokerStillRestoresOrFails() throws {
        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        try broker.createTopic("job-state", partitions: 1)
        let producer = try KafkaProducer(config: KafkaConfig(bootstrapServers: broker.bootstrapServers))
        let state = try producer.topic("job-state")
        try writeCheckpoint(producer, state, sp: 0, id: 7, partition: 0, chunks: [[42]], next: 77)
        try producer.flush(timeoutMs: 10_000)
        try broker.setBrokerRTT(1, rttMs: 1500)   // every request answers after 1.5 s

        let patient = try StateRestorer(kafka: KafkaConfig(bootstrapServers: broker.bootstrapServers), stateTopic: "job-state",
                                        logger: Logger(label: "test"))
        defer { patient.close() }
        let r = try XCTUnwrap(try patient.restore(topic: "in", partition: 0, statePartition: 0), "restored despite the slow broker")
        XCTAssertEqual(r.marker.nextOffset, 77)
        XCTAssertEqual(r.chunks, [[42]])

        let hasty = try StateRestorer(kafka: KafkaConfig(bootstrapServers: broker.bootstrapServers), stateTopic: "job-state",
                                      logger: Logger(label: "test"), timeoutMs: 1000)
        defer { hasty.close() }
        // Out of time: an error (the task fails and restarts), never "no checkpoint".
        XCTAssertThrowsError(try hasty.restore(topic: "in", partition: 0, statePartition: 0))
    }
}
