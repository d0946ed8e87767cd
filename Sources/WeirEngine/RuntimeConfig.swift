import WeirKafka

/// How a job runs on this instance: where Kafka is, who we are, how often we commit.
public struct RuntimeConfig: Sendable {
    /// Kafka connection and pass-through librdkafka properties (shared by all clients).
    public var kafka: KafkaConfig
    /// Stable per instance: part of each task's `transactional.id` (`<job>-<instance>-<slot>`).
    public var instanceID: String
    /// How often each task checkpoints: one Kafka transaction (Flink's checkpoint interval, default 5 s).
    public var checkpointIntervalMs: Int
    /// Records handed to the task loop per poll.
    public var batchSize: Int
    public var sessionTimeoutMs: Int
    /// Must stay well above the commit interval and below the broker's maximum.
    public var transactionTimeoutMs: Int

    public init(kafka: KafkaConfig, instanceID: String = "0", checkpointIntervalMs: Int = 5000,
                batchSize: Int = 1000, sessionTimeoutMs: Int = 6000, transactionTimeoutMs: Int = 60000) {
        self.kafka = kafka; self.instanceID = instanceID; self.checkpointIntervalMs = checkpointIntervalMs
        self.batchSize = batchSize; self.sessionTimeoutMs = sessionTimeoutMs; self.transactionTimeoutMs = transactionTimeoutMs
    }
}
