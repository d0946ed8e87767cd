import XCTest
import WeirEngine
import WeirKafka
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
}
