import Foundation
import Synchronization
import Logging
import WeirFormats
import WeirKafka

/// One task: a consumer, a transactional producer, and the processor, run in a
/// tight synchronous loop on its own thread (DESIGN.md, "The task loop").
///
/// Poll a batch -> decode -> process -> produce, then commit the transaction
/// (offsets included) when the interval is due. No async hop, lock or
/// allocation per record.
public final class StreamTask: @unchecked Sendable {
    public let slot: Int
    public let metrics = TaskMetrics()
    private let job: JobSpec
    private let runtime: RuntimeConfig
    private let logger: Logger
    private let stopFlag = StopFlag()

    private var consumer: KafkaConsumer?
    private var producer: KafkaProducer?
    private var chain: RecordChain?
    private var sink: KafkaTaskSink?
    private var txn: TransactionState
    /// Next offsets as of the last successful commit: where an abort seeks back to.
    private var committedOffsets: [TopicPartition: Int64] = [:]

    public init(job: JobSpec, runtime: RuntimeConfig, slot: Int, logger: Logger) {
        self.job = job; self.runtime = runtime; self.slot = slot; self.logger = logger
        txn = TransactionState(intervalNanos: UInt64(max(1, runtime.commitIntervalMs)) * 1_000_000)
    }

    public var transactionalID: String { "\(job.name)-\(runtime.instanceID)-\(slot)" }

    /// Asks the loop to finish its batch, commit and close. With `flush`, the
    /// input is treated as ended: every open window fires first (for `weir dev
    /// --generate` and bounded runs). Thread-safe.
    public func requestStop(flush: Bool = false) {
        if flush { flushFlag.set() }
        stopFlag.set()
    }
    private let flushFlag = StopFlag()

    /// Runs the task until stopped or failed. Blocking: call on a dedicated thread.
    public func run() throws {
        var cc = runtime.kafka
        cc.groupID = job.source.group
        cc.isolationLevel = .readCommitted
        cc.autoOffsetReset = job.source.startFrom == .earliest ? .earliest : .latest
        cc.sessionTimeoutMs = runtime.sessionTimeoutMs
        cc.clientID = "\(transactionalID)-consumer"
        cc.properties["enable.auto.commit"] = cc.properties["enable.auto.commit"] ?? "false"
        cc.properties["fetch.wait.max.ms"] = cc.properties["fetch.wait.max.ms"] ?? "10"
        let consumer = try KafkaConsumer(config: cc) { [unowned self] event in self.onRebalance(event) }
        self.consumer = consumer

        var pc = runtime.kafka
        pc.transactionalID = transactionalID
        pc.transactionTimeoutMs = runtime.transactionTimeoutMs
        pc.clientID = "\(transactionalID)-producer"
        pc.properties["linger.ms"] = pc.properties["linger.ms"] ?? "5"
        let producer = try KafkaProducer(config: pc)
        self.producer = producer
        defer { consumer.close(); self.consumer = nil; self.producer = nil; self.sink = nil; chain?.op?.close() }

        let chain = try RecordChain(job: job)
        self.chain = chain
        let sink = try KafkaTaskSink(producer: producer, job: job)
        self.sink = sink
        try producer.initTransactions(timeoutMs: 30_000)
        try consumer.subscribe(job.source.topics)
        metrics.subscribedNanos.store(monotonicNanos(), ordering: .relaxed)

        while !stopFlag.isSet {
            var consumed = 0
            var failure: Error?
            let nowMs = Int64(truncatingIfNeeded: monotonicNanos() / 1_000_000)
            _ = consumer.poll(maxMessages: runtime.batchSize, timeoutMs: 100) { msg in
                if failure != nil { return }
                do {
                    if !txn.isOpen { try beginTransaction() }
                    consumed += 1
                    sink.current = msg
                    let ts = msg.timestamp
                    try chain.process(value: msg.value, key: msg.key, kafkaTimestampMs: ts >= 0 ? ts : nil,
                                      partition: Int(msg.partition), nowMs: nowMs, sink: sink)
                } catch {
                    failure = error
                }
            }
            sink.current = nil
            if failure == nil && txn.isOpen {
                do { try chain.advance(nowMs: nowMs, sink: sink) } catch { failure = error }
            }
            if consumed > 0 {
                if metrics.firstRecordNanos.load(ordering: .relaxed) == 0 {
                    metrics.firstRecordNanos.store(monotonicNanos(), ordering: .relaxed)
                }
                metrics.consumed.add(consumed, ordering: .relaxed)
            }
            metrics.add(chain.takeCounts())
            if let e = failure { try handle(e as? KafkaError ?? KafkaError.local("\(e)")) }
            producer.poll(timeoutMs: 0)
            if txn.commitDue(now: monotonicNanos()) { try commit() }
        }
        if flushFlag.isSet && chain.op != nil {
            if !txn.isOpen { try beginTransaction() }
            try chain.flush(sink: sink)
            metrics.add(chain.takeCounts())
        }
        if txn.isOpen { try commit() }
        logger.info("task stopped", metadata: ["task": "\(transactionalID)"])
    }

    // MARK: transactions

    private func beginTransaction() throws {
        guard let producer else { return }
        try producer.beginTransaction()
        try? txn.begin(now: monotonicNanos())
    }

    /// Sends the consumer's positions (the next offset of every assigned
    /// partition: every polled record has been processed) and commits.
    private func commit() throws {
        guard let producer, let consumer, txn.isOpen else { return }
        try? txn.commitStarted()
        do {
            let offsets = try consumer.position(consumer.assignment()).filter { $0.offset >= 0 }
            try producer.sendOffsetsToTransaction(offsets, metadata: try consumer.groupMetadata(), timeoutMs: 30_000)
            try commitWithRetry(producer)
            try? txn.committed()
            for o in offsets { committedOffsets[o.topicPartition] = o.offset }
            metrics.commits.add(1, ordering: .relaxed)
        } catch let e as KafkaError {
            try handle(e)
        }
    }

    private func commitWithRetry(_ producer: KafkaProducer) throws {
        var attempt = 0
        while true {
            do { try producer.commitTransaction(timeoutMs: 30_000); return }
            catch let e as KafkaError where e.kind == .retriable && attempt < 10 {
                attempt += 1
                logger.warning("retrying commit", metadata: ["error": "\(e)", "attempt": "\(attempt)"])
            }
        }
    }

    /// Abortable: abort, seek back to the last commit, go on. Fatal: give up.
    private func handle(_ error: KafkaError) throws {
        guard error.kind == .abortable, let producer, let consumer else {
            txn.fail()
            logger.error("task failed", metadata: ["task": "\(transactionalID)", "error": "\(error)"])
            throw error
        }
        logger.warning("aborting transaction", metadata: ["error": "\(error)"])
        try producer.abortTransaction(timeoutMs: 30_000)
        try? txn.aborted()
        metrics.aborts.add(1, ordering: .relaxed)
        for tp in try consumer.assignment() {
            let offset = committedOffsets[tp] ?? (job.source.startFrom == .earliest ? TopicPartitionOffset.beginning : TopicPartitionOffset.end)
            try consumer.seek(topic: tp.topic, partition: tp.partition, offset: offset)
        }
    }

    /// Revoked partitions are committed inside the callback, before they move.
    private func onRebalance(_ event: RebalanceEvent) {
        switch event {
        case .assigned(let parts):
            if metrics.assignedNanos.load(ordering: .relaxed) == 0 {
                metrics.assignedNanos.store(monotonicNanos(), ordering: .relaxed)
            }
            let now = Int64(truncatingIfNeeded: monotonicNanos() / 1_000_000)
            for p in parts { chain?.addPartition(Int(p.partition), nowMs: now) }
            logger.info("assigned", metadata: ["task": "\(transactionalID)", "partitions": "\(parts.map { "\($0.topic)[\($0.partition)]" })"])
        case .revoked(let parts):
            do { try commit() } catch { logger.error("commit on revoke failed", metadata: ["error": "\(error)"]) }
            for p in parts { chain?.removePartition(Int(p.partition)) }
        case .lost(let parts):
            if txn.isOpen, let producer {
                _ = try? producer.abortTransaction(timeoutMs: 30_000)
                try? txn.aborted()
            }
            for p in parts { chain?.removePartition(Int(p.partition)) }
        }
    }
}

/// A flag set from any thread and read by the task loop once per batch.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}
