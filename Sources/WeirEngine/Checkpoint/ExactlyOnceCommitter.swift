import Logging
import WeirKafka

/// Exactly-once: each checkpoint is one Kafka transaction holding the output,
/// the state chunks, the markers and the input offsets (DESIGN.md, "Exactly-once").
final class ExactlyOnceCommitter: CheckpointCommitter {
    private let producer: KafkaProducer
    private let consumer: KafkaConsumer
    private let task: String
    private let logger: Logger

    init(producer: KafkaProducer, consumer: KafkaConsumer, task: String, logger: Logger) {
        self.producer = producer; self.consumer = consumer; self.task = task; self.logger = logger
    }

    var canAbort: Bool { true }

    /// Fences a previous incarnation of this slot and aborts its open transaction
    /// before anything is read, so restore sees only what it committed.
    func start() throws { try producer.initTransactions(timeoutMs: 30_000) }

    func begin() throws { try producer.beginTransaction() }

    /// Inside a transaction order across partitions does not matter: all of it commits or none.
    func beforeMarkers() throws {}

    func commit(offsets: [TopicPartitionOffset]) throws {
        try commit(offsets: offsets, metadata: try consumer.groupMetadata())
    }

    /// Only the producer is used off the task thread, and the task neither
    /// produces nor polls it until the work is done (`CommitWorker`).
    func backgroundCommit(offsets: [TopicPartitionOffset]) throws -> (() throws -> Void)? {
        let metadata = try consumer.groupMetadata()
        return { [self] in try commit(offsets: offsets, metadata: metadata) }
    }

    private func commit(offsets: [TopicPartitionOffset], metadata: ConsumerGroupMetadata) throws {
        try producer.sendOffsetsToTransaction(offsets, metadata: metadata, timeoutMs: 30_000)
        var attempt = 0
        while true {
            do { try producer.commitTransaction(timeoutMs: 30_000); return }
            catch let e as KafkaError where e.kind == .retriable && attempt < 10 {
                attempt += 1
                logger.warning("retrying commit", metadata: ["task": "\(task)", "error": "\(e)", "attempt": "\(attempt)"])
            }
        }
    }

    /// Offsets go to the group inside each checkpoint's transaction only.
    func commitRestored(offsets: [TopicPartitionOffset]) {}

    func abort() throws { try producer.abortTransaction(timeoutMs: 30_000) }

    /// The final checkpoint's commit already flushed everything.
    func finish() {}
}
