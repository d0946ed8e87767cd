import Logging
import WeirKafka

/// The part of a task's checkpoint that depends on the sink's delivery
/// guarantee: how the producer is set up and how a checkpoint becomes durable.
///
/// `StreamTask` calls it on its own thread, once per checkpoint interval (never
/// per record), in this order:
///
///     start()                       once, before anything is read
///     begin()                       before the first record of an interval
///     … output and state chunks are produced …
///     beforeMarkers()
///     … checkpoint markers are produced …
///     commit(offsets:)              the checkpoint is durable when this returns
///
/// An error it throws goes to `StreamTask.handle`: abortable ones are aborted
/// and rewound only when `canAbort`; everything else ends the task and the
/// job's restart strategy restores it from the newest marker.
protocol CheckpointCommitter: AnyObject {
    /// Whether output written since the last checkpoint can be taken back (a
    /// transaction can). Without that there is nothing to abort.
    var canAbort: Bool { get }
    func start() throws
    func begin() throws
    func beforeMarkers() throws
    /// `offsets`: the next input offset of every partition the checkpoint covers.
    func commit(offsets: [TopicPartitionOffset]) throws
    /// The same commit as work for the task's commit worker thread, so the task
    /// goes on processing meanwhile (its output held until the work is done);
    /// nil when this guarantee commits inline. Reads what it needs from the
    /// consumer here, on the task thread.
    func backgroundCommit(offsets: [TopicPartitionOffset]) throws -> (() throws -> Void)?
    /// Partitions just restored from their markers (`offsets`: where reading
    /// resumes). Where the guarantee commits to the group outside transactions,
    /// the group's offsets are brought up to the markers: a partition whose new
    /// owner has nothing left to read would otherwise keep the offset of an older
    /// checkpoint (a commit that met a rebalance, a task that failed after its
    /// markers). Called on the task thread, outside rebalance callbacks.
    func commitRestored(offsets: [TopicPartitionOffset])
    /// Drops the open interval's output where possible (a no-op without transactions).
    func abort() throws
    /// After the final checkpoint of a clean stop, before the clients close.
    func finish()
}

extension DeliveryGuarantee {
    /// Producer settings for this guarantee, over the shared ones in `config`.
    func configureProducer(_ config: inout KafkaConfig, transactionalID: String, transactionTimeoutMs: Int) {
        switch self {
        case .exactlyOnce:
            config.transactionalID = transactionalID
            config.transactionTimeoutMs = transactionTimeoutMs
        case .atLeastOnce:
            // No retry can duplicate or reorder a record within a partition, so a
            // marker never lands before the chunks flushed ahead of it.
            config.enableIdempotence = true
        case .none:
            break
        }
    }

    func committer(producer: KafkaProducer, consumer: KafkaConsumer, task: String, logger: Logger) -> any CheckpointCommitter {
        switch self {
        case .exactlyOnce: return ExactlyOnceCommitter(producer: producer, consumer: consumer, task: task, logger: logger)
        case .atLeastOnce: return AtLeastOnceCommitter(producer: producer, consumer: consumer, task: task, logger: logger)
        case .none: return NoGuaranteeCommitter(producer: producer, consumer: consumer, task: task, logger: logger)
        }
    }
}
