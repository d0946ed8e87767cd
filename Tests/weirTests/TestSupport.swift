import Foundation
import WeirKafka

/// The repository root, found from this file's path.
let repoRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
    }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
}()

struct ReadRecord {
    var key: String?
    var value: [UInt8]
    var headers: [String: String]
    var partition: Int32
    var offset: Int64
}

/// Reads `topic` from the start with a read_committed consumer until `count`
/// records arrived and nothing more comes for `settleMs`, or `timeoutMs` passed.
func readAll(topic: String, bootstrap: String, atLeast count: Int, timeoutMs: Int = 30_000, settleMs: Int = 1_500) throws -> [ReadRecord] {
    var config = KafkaConfig(bootstrapServers: bootstrap)
    config.groupID = "test-reader-\(UUID().uuidString)"
    config.isolationLevel = .readCommitted
    config.autoOffsetReset = .earliest
    config.sessionTimeoutMs = 6000
    let consumer = try KafkaConsumer(config: config) { _ in }
    defer { consumer.close() }
    try consumer.subscribe([topic])
    var out: [ReadRecord] = []
    let start = Date()
    var lastNew = Date()
    while Date().timeIntervalSince(start) * 1000 < Double(timeoutMs) {
        let n = consumer.poll(maxMessages: 1000, timeoutMs: 100) { m in
            var headers: [String: String] = [:]
            for h in m.headers() { headers[h.name] = h.value.map { String(decoding: $0, as: UTF8.self) } ?? "" }
            out.append(ReadRecord(key: m.key.map { String(decoding: $0, as: UTF8.self) },
                                  value: m.value.map { Array($0) } ?? [], headers: headers,
                                  partition: m.partition, offset: m.offset))
        }
        if n > 0 { lastNew = Date() }
        if out.count >= count && Date().timeIntervalSince(lastNew) * 1000 >= Double(settleMs) { break }
    }
    return out
}

/// Produces (key, value) pairs with a plain producer and waits for delivery.
func produceAll(_ records: [(String, [UInt8])], topic: String, bootstrap: String) throws {
    let producer = try KafkaProducer(config: KafkaConfig(bootstrapServers: bootstrap))
    let handle = try producer.topic(topic)
    for (k, v) in records {
        var key = k
        try key.withUTF8 { kb in
            try v.withUnsafeBytes { vb in try producer.produce(handle, key: UnsafeRawBufferPointer(kb), value: vb) }
        }
    }
    try producer.flush(timeoutMs: 30_000)
    if producer.deliveryStats.failed > 0 { throw KafkaError.local("delivery failed: \(producer.deliveryStats.failed)") }
}
