import Foundation
import WeirKafka
import XCTest

/// Shared settings that keep tests against the mock broker quick.
enum TestConfig {
    static func consumer(_ broker: EmbeddedBroker, group: String?, isolation: KafkaConfig.IsolationLevel = .readCommitted,
                         extra: [String: String] = [:]) -> KafkaConfig {
        var properties = ["fetch.wait.max.ms": "10", "heartbeat.interval.ms": "500", "topic.metadata.refresh.interval.ms": "1000"]
        properties.merge(extra) { $1 }
        return KafkaConfig(bootstrapServers: broker.bootstrapServers, groupID: group, isolationLevel: isolation,
                           sessionTimeoutMs: 6000, autoOffsetReset: .earliest, properties: properties)
    }

    static func producer(_ broker: EmbeddedBroker, transactionalID: String? = nil, extra: [String: String] = [:]) -> KafkaConfig {
        var properties = ["linger.ms": "5"]
        properties.merge(extra) { $1 }
        return KafkaConfig(bootstrapServers: broker.bootstrapServers, transactionalID: transactionalID,
                           transactionTimeoutMs: transactionalID == nil ? nil : 10000, properties: properties)
    }
}

/// A consumed record copied out of the poll callback.
struct Record: Equatable {
    var topic: String
    var partition: Int32
    var offset: Int64
    var key: String?
    var value: String?
    var headers: [KafkaHeader]

    init(_ message: KafkaMessage) {
        topic = message.topic
        partition = message.partition
        offset = message.offset
        key = message.key.map { String(decoding: $0, as: UTF8.self) }
        value = message.value.map { String(decoding: $0, as: UTF8.self) }
        headers = message.headers()
    }
}

extension KafkaConsumer {
    /// Polls until `done` holds or `seconds` pass; returns everything read.
    func drain(seconds: Double, until done: ([Record]) -> Bool) -> [Record] {
        var records: [Record] = []
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, !done(records) {
            poll(maxMessages: 256, timeoutMs: 50) { records.append(Record($0)) }
        }
        return records
    }
}

extension KafkaProducer {
    func send(_ topic: KafkaTopicHandle, partition: Int32 = -1, key: String?, value: String?,
                 headers: [KafkaHeader]? = nil) throws {
        var keyBytes = Array((key ?? "").utf8)
        var valueBytes = Array((value ?? "").utf8)
        try keyBytes.withUnsafeMutableBytes { keyBuffer in
            try valueBytes.withUnsafeMutableBytes { valueBuffer in
                try produce(topic, partition: partition,
                            key: key == nil ? nil : UnsafeRawBufferPointer(keyBuffer),
                            value: value == nil ? nil : UnsafeRawBufferPointer(valueBuffer), headers: headers)
            }
        }
    }
}

/// Measures and prints how long a test step took (for the report on test time).
func timed<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
    let start = Date()
    defer { print("[timing] \(label): \(String(format: "%.2f", Date().timeIntervalSince(start))) s") }
    return try body()
}
