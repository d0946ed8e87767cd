import Logging
import WeirKafka

/// No guarantee: no transactions and no waiting. Markers are written right
/// behind the output and the offsets committed asynchronously, so restarts
/// resume near where the task was; output not yet sent at a failure is lost,
/// output sent after the last marker is repeated. Failed deliveries are logged.
final class NoGuaranteeCommitter: CheckpointCommitter {
    private let producer: KafkaProducer
    private let consumer: KafkaConsumer
    private let task: String
    private let logger: Logger
    private var failuresSeen = 0
    private var lastOffsets: [TopicPartitionOffset] = []

    init(producer: KafkaProducer, consumer: KafkaConsumer, task: String, logger: Logger) {
        self.producer = producer; self.consumer = consumer; self.task = task; self.logger = logger
    }

    var canAbort: Bool { false }
    func start() throws {}
    func begin() throws {}
    func beforeMarkers() throws {}

    /// Inline: the flush it waits for must not race the task's next output.
    func backgroundCommit(offsets: [TopicPartitionOffset]) throws -> (() throws -> Void)? { nil }

    func commit(offsets: [TopicPartitionOffset]) throws {
        let failed = producer.deliveryStats.failed
        if failed > failuresSeen {
            logger.warning("records lost", metadata: ["task": "\(task)", "count": "\(failed - failuresSeen)",
                                                      "cause": "\(producer.deliveryStats.lastFailure.map { "\($0)" } ?? "-")"])
            failuresSeen = failed
        }
        if let fatal = producer.fatalFailure { throw fatal }
        GroupOffsetCommit.async(consumer, offsets, task: task, logger: logger)
        lastOffsets = offsets
    }

    func commitRestored(offsets: [TopicPartitionOffset]) {
        GroupOffsetCommit.async(consumer, offsets, task: task, logger: logger)
    }

    func abort() throws {}

    /// A clean stop still delivers what is queued (the final marker included)
    /// and leaves the last offsets committed: closing the producer would drop them.
    func finish() {
        do { try producer.flush(timeoutMs: 30_000) } catch {
            logger.warning("records not flushed at stop", metadata: ["task": "\(task)", "error": "\(error)"])
        }
        GroupOffsetCommit.sync(consumer, lastOffsets, task: task, logger: logger)
    }
}
