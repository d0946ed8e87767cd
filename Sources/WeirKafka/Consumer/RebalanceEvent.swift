/// A change of the consumer's assignment, delivered synchronously from inside
/// `KafkaConsumer.poll` (or `close`) *before* librdkafka applies it, so the engine can
/// commit or abort state for partitions it is about to lose.
public enum RebalanceEvent: Hashable, Sendable {
    /// Partitions added to the assignment (all of them under the eager protocol,
    /// the increment under the cooperative one).
    case assigned([TopicPartition])
    /// Partitions taken away in an orderly rebalance: commit their state now.
    case revoked([TopicPartition])
    /// Partitions lost (session timeout, fenced generation): another member may
    /// already own them, so their uncommitted state must be dropped, not committed.
    case lost([TopicPartition])
}
