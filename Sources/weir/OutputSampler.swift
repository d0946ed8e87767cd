import WeirKafka

/// Reads the first few committed records of a topic, for `weir dev` to show.
enum OutputSampler {
    static func read(topic: String, kafka: KafkaConfig, count: Int, timeoutMs: Int = 10_000) throws -> [String] {
        var config = kafka
        config.groupID = "weir-sample-\(getpid())"
        config.isolationLevel = .readCommitted
        config.autoOffsetReset = .earliest
        config.sessionTimeoutMs = 6000
        let consumer = try KafkaConsumer(config: config) { _ in }
        defer { consumer.close() }
        try consumer.subscribe([topic])
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
