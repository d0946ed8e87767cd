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
    public var restart: RestartStrategy

    public init(kafka: KafkaConfig, instanceID: String = "0", checkpointIntervalMs: Int = 5000,
                batchSize: Int = 1000, sessionTimeoutMs: Int = 6000, transactionTimeoutMs: Int = 60000,
                restart: RestartStrategy = .default) {
        self.kafka = kafka; self.instanceID = instanceID; self.checkpointIntervalMs = checkpointIntervalMs
        self.batchSize = batchSize; self.sessionTimeoutMs = sessionTimeoutMs; self.transactionTimeoutMs = transactionTimeoutMs
        self.restart = restart
    }
}

extension RuntimeConfig {
    /// The broker aborts a transaction open longer than `transaction.timeout.ms`;
    /// a checkpoint must commit well before that, and the broker refuses
    /// timeouts above its `transaction.max.timeout.ms` (15 min by default).
    /// `transactional: false` (sinks without exactly-once) checks the interval only.
    public func validate(transactional: Bool = true) throws(ConfigError) {
        guard checkpointIntervalMs >= 10 else {
            throw ConfigError("checkpoint interval \(checkpointIntervalMs) ms is below 10 ms")
        }
        guard transactional else { return }
        guard transactionTimeoutMs >= 3 * checkpointIntervalMs else {
            throw ConfigError("transaction.timeout.ms (\(transactionTimeoutMs)) must be at least 3× the checkpoint interval (\(checkpointIntervalMs) ms)")
        }
        guard transactionTimeoutMs <= 900_000 else {
            throw ConfigError("transaction.timeout.ms (\(transactionTimeoutMs)) is above the broker default maximum of 900000")
        }
    }
}

public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
