import WeirFormats
import WeirKafka

/// Reads the first few committed records of a topic, for `weir dev` to show.
enum OutputSampler {
    /// - Parameter avro: where to find writer schemas when the values are
    ///   Confluent-framed Avro; they are then shown as JSON.
    static func read(topic: String, kafka: KafkaConfig, count: Int, avro: AvroSchemaSource? = nil,
                     timeoutMs: Int = 10_000) throws -> [String] {
        let decoder = avro.map { AvroRowDecoder(fields: [], source: $0, renderWhole: true) }
        var row = Row(slotCount: 0)
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
                var value = msg.value.map { String(decoding: $0, as: UTF8.self) } ?? "null"
                if let decoder, let bytes = msg.value {
                    do {
                        try decoder.decode(bytes, into: &row)
                        value = row.string(decoder.renderedSpan)
                    } catch {
                        value = "(not Avro the registry knows: \(error))"
                    }
                }
                lines.append("\(key) \(value)")
            }
        }
        return lines
    }
}

import Glibc
import WeirEngine
