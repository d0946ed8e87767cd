/// What a Kafka sink promises about its output when a task fails (Flink's
/// `KafkaSink.setDeliveryGuarantee`; docs/exactly-once.md). Every guarantee
/// writes the same checkpoints to `<job>-state` and restores from them alike;
/// they differ in how a checkpoint is made durable (`CheckpointCommitter`).
public enum DeliveryGuarantee: String, Sendable, CaseIterable {
    /// One Kafka transaction per checkpoint and task: output, state and
    /// offsets commit together or not at all.
    case exactlyOnce = "exactly-once"
    /// Idempotent producer, no transactions: every output record is
    /// acknowledged before the checkpoint covering it is written. After a
    /// failure output may repeat, never go missing.
    case atLeastOnce = "at-least-once"
    /// Nothing waited for: after a failure output may be lost or repeated.
    case none
}
