import Logging
import WeirKafka

/// At-least-once: an idempotent producer and no transactions. A checkpoint
/// waits until the broker acknowledged every output record and state chunk,
/// then writes the markers and waits for them too, then commits the input
/// offsets to the group. A marker is therefore only ever written after all the
/// output it covers is durable: a restart from it may repeat output, never
/// miss any. A record that could not be delivered fails the task (its marker
/// is never written), and the restart reads again from the last marker.
final class AtLeastOnceCommitter: CheckpointCommitter {
    private let producer: KafkaProducer
    private let consumer: KafkaConsumer
    private let task: String
    private let logger: Logger
    /// Delivery failures already reported (the producer counts from its creation).
    private var failuresSeen = 0

    init(producer: KafkaProducer, consumer: KafkaConsumer, task: String, logger: Logger) {
        self.producer = producer; self.consumer = consumer; self.task = task; self.logger = logger
    }

    var canAbort: Bool { false }
    func start() throws {}
    func begin() throws {}

    /// Output and chunks acknowledged before any marker that covers them is sent.
    func beforeMarkers() throws { try flushAcknowledged("output and state") }

    /// Inline: the flush it waits for must not race the task's next output.
    func backgroundCommit(offsets: [TopicPartitionOffset]) throws -> (() throws -> Void)? { nil }

    func commit(offsets: [TopicPartitionOffset]) throws {
        try flushAcknowledged("checkpoint markers")
        GroupOffsetCommit.sync(consumer, offsets, task: task, logger: logger)
    }

    /// The markers were written after everything they cover was acknowledged.
    func commitRestored(offsets: [TopicPartitionOffset]) {
        GroupOffsetCommit.sync(consumer, offsets, task: task, logger: logger)
    }

    /// Sent records cannot be taken back: a new owner reads them again from the marker.
    func abort() throws {}
    func finish() {}

    /// Waits until nothing is outstanding; throws when any record since the last
    /// check was not delivered.
    private func flushAcknowledged(_ what: String) throws {
        var attempt = 0
        while true {
            do { try producer.flush(timeoutMs: 30_000); break }
            catch let e as KafkaError where e.kind == .retriable && attempt < 10 {
                // Until message.timeout.ms fails the records still queued (reported below).
                attempt += 1
                logger.warning("waiting for acknowledgements", metadata: ["task": "\(task)", "error": "\(e)", "attempt": "\(attempt)"])
            }
        }
        if let fatal = producer.fatalFailure { throw fatal }
        let stats = producer.deliveryStats
        guard stats.failed > failuresSeen else { return }
        let count = stats.failed - failuresSeen
        failuresSeen = stats.failed
        throw KafkaError(code: stats.lastFailure?.code ?? KafkaErrorCode.state.rawValue,
                         message: "\(count) record(s) not delivered before writing the \(what) of a checkpoint: "
                             + (stats.lastFailure?.message ?? "no cause reported"),
                         kind: .fatal)
    }
}
