import Foundation
import Logging
import Synchronization
import WeirKafka

/// The jobs topic (`weir-jobs` by default): job definitions and savepoint
/// requests of one service group, as Kafka Connect keeps connector configs in
/// its config topic. Compacted, so the latest record of each key is kept for
/// good. Every instance reads all of it from the beginning (no consumer group:
/// each needs every record) and keeps following it; a write returns once the
/// broker has it.
public final class KafkaJobStore: JobStore, @unchecked Sendable {
    public let topic: String
    private let kafka: KafkaConfig
    private let logger: Logger
    // Used by one thread at a time: the catch-up, then the follow loop.
    private var consumer: KafkaConsumer?
    private let producer = Mutex<KafkaProducerBox?>(nil)
    private let closed = Atomic<Bool>(false)

    public init(kafka: KafkaConfig, topic: String = "weir-jobs", logger: Logger) {
        self.kafka = kafka; self.topic = topic; self.logger = logger
    }

    public struct StoreError: Error, CustomStringConvertible {
        public var description: String
    }

    public func catchUp() async throws -> [JobsTopicRecord] {
        try await Self.onThread { try self.catchUpBlocking() }
    }

    private func catchUpBlocking() throws -> [JobsTopicRecord] {
        let t0 = Date()
        func phase(_ what: String) { logger.debug("jobs topic: \(what)", metadata: ["ms": "\(Int(Date().timeIntervalSince(t0) * 1000))"]) }
        let partitions = try ensureTopic()
        phase("partitions known")
        var config = kafka
        config.groupID = nil
        config.isolationLevel = .readCommitted
        // A record written is seen within 100 ms (librdkafka's default waits 500 ms at the end of
        // the topic); an idle instance then sends ten small fetches a second (0.2–0.3% of a core).
        config.properties["fetch.wait.max.ms"] = config.properties["fetch.wait.max.ms"] ?? "100"
        let consumer = try KafkaConsumer(config: config, onRebalance: { _ in })
        self.consumer = consumer
        var ends: [Int32: Int64] = [:], starts: [Int32: Int64] = [:]
        for p in 0..<Int32(partitions) { (starts[p], ends[p]) = try consumer.watermarkOffsets(topic: topic, partition: p) }
        phase("end offsets known")
        // From the low watermark, the topic's first record (no offset-reset round trip, as BEGINNING would take).
        try consumer.assign((0..<Int32(partitions)).map { TopicPartitionOffset(topic: topic, partition: $0, offset: starts[$0] ?? -2) })
        var next: [Int32: Int64] = [:]
        var latest: [String: JobsTopicRecord] = [:]
        var order: [String] = []
        let deadline = Date().addingTimeInterval(30)
        while ends.contains(where: { p, end in (next[p] ?? 0) < end }) {
            guard Date() < deadline else {
                throw StoreError(description: "the jobs topic \(topic) was not read to its end in 30 s")
            }
            consumer.poll(maxMessages: 500, timeoutMs: 200) { m in
                next[m.partition] = m.offset + 1
                guard let record = decode(m) else { return }
                if latest[record.key] == nil { order.append(record.key) }
                latest[record.key] = record
            }
            if let f = consumer.fatalFailure { throw StoreError(description: "reading the jobs topic \(topic): \(f)") }
        }
        logger.info("jobs topic read", metadata: ["topic": "\(topic)", "records": "\(next.values.reduce(0, +))", "keys": "\(order.count)",
                                                  "ms": "\(Int(Date().timeIntervalSince(t0) * 1000))"])
        return order.compactMap { latest[$0] }.filter { if case .deleted = $0 { false } else { true } }
    }

    /// The topic's partition count; created (compacted, one partition) when missing.
    private func ensureTopic() throws -> Int {
        let admin = try KafkaAdmin(config: kafka)
        defer { admin.close() }
        if let n = try admin.partitionCount(topic: topic) { return n }
        do {
            try admin.createTopics([(name: topic, partitions: 1, replicationFactor: -1)],
                                   config: ["cleanup.policy": "compact"], timeoutMs: 5_000)
            logger.info("jobs topic created", metadata: ["topic": "\(topic)"])
        } catch {
            throw StoreError(description: "the jobs topic \(topic) does not exist and could not be created (\(error)); "
                             + "create it compacted with one partition (`weir broker` creates it)")
        }
        for _ in 0..<50 {
            if let n = try admin.partitionCount(topic: topic) { return n }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw StoreError(description: "the jobs topic \(topic) was created but the cluster does not show it")
    }

    private func decode(_ m: KafkaMessage) -> JobsTopicRecord? {
        guard let k = m.key, let key = String(validating: k, as: UTF8.self) else {
            logger.warning("jobs topic record without a UTF-8 key skipped", metadata: ["partition": "\(m.partition)", "offset": "\(m.offset)"])
            return nil
        }
        do {
            return try JobsTopicRecord.decode(key: key, value: m.value.map { [UInt8]($0) })
        } catch {
            logger.warning("jobs topic record skipped", metadata: ["offset": "\(m.offset)", "error": "\(error)"])
            return nil
        }
    }

    public func follow(_ onRecord: @escaping @Sendable (JobsTopicRecord) -> Void) async {
        guard consumer != nil else { return }
        await Self.onThread { [self] in
            guard let consumer else { return }
            while !closed.load(ordering: .acquiring) {
                consumer.poll(maxMessages: 100, timeoutMs: 100) { m in
                    if let r = decode(m) { onRecord(r) }
                }
            }
            consumer.close()
        }
    }

    public func write(_ record: JobsTopicRecord) async throws {
        try await Self.onThread { [self] in
            try producer.withLock { box in
                if box == nil {
                    var config = kafka
                    config.enableIdempotence = true
                    config.properties["acks"] = "all"
                    box = KafkaProducerBox(try KafkaProducer(config: config))
                }
                guard let p = box?.producer else { return }
                let before = p.deliveryStats.failed
                let handle = try p.topic(topic)
                let key = Array(record.key.utf8)
                let value = try record.value()
                try key.withUnsafeBytes { k in
                    if let value {
                        try value.withUnsafeBytes { v in try p.produce(handle, key: k, value: v) }
                    } else {
                        try p.produce(handle, key: k, value: nil)
                    }
                }
                try p.flush(timeoutMs: 15_000)
                if p.deliveryStats.failed > before {
                    throw StoreError(description: "writing to the jobs topic \(topic): \(p.deliveryStats.lastFailure.map { "\($0)" } ?? "delivery failed")")
                }
            }
        }
    }

    public func close() {
        closed.store(true, ordering: .releasing)
        producer.withLock { box in box?.producer.close(); box = nil }
    }

    /// Runs blocking Kafka calls off the cooperative pool.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            Thread { c.resume(with: Result { try body() }) }.start()
        }
    }

    static func onThread(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { c in
            Thread { body(); c.resume() }.start()
        }
    }
}

/// A producer kept under the store's lock.
final class KafkaProducerBox: @unchecked Sendable {
    let producer: KafkaProducer
    init(_ producer: KafkaProducer) { self.producer = producer }
}
