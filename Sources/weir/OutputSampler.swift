import WeirKafka

/// Reads the first few committed records of a topic, for `weir dev` to show.
enum OutputSampler {
    static func read(topic: String, kafka: KafkaConfig, count: Int, timeoutMs: Int = 10_000) throws -> [String] {
        // Assigned, not subscribed: no group join (3 s on the embedded broker).
        let admin = try KafkaAdmin(config: kafka)
        let partitions = try admin.partitionCount(topic: topic) ?? 1
        admin.close()
        var config = kafka
        config.isolationLevel = .readCommitted
        config.autoOffsetReset = .earliest
        let consumer = try KafkaConsumer(config: config) { _ in }
        defer { consumer.close() }
        try consumer.assign((0..<partitions).map {
            TopicPartitionOffset(topic: topic, partition: Int32($0), offset: TopicPartitionOffset.beginning)
        })
        var lines: [String] = []
        let deadline = monotonicNanos() + UInt64(timeoutMs) * 1_000_000
        while lines.count < count && monotonicNanos() < deadline {
            _ = consumer.poll(maxMessages: count - lines.count, timeoutMs: 100) { msg in
                let key = msg.key.map { String(decoding: $0, as: UTF8.self) } ?? "null"
                let value = msg.value.map { String(decoding: $0, as: UTF8.self) } ?? "null"
                lines.append("\(key) \(value)")
            }
        }
        return lines
    }
}

import Glibc
import WeirEngine
