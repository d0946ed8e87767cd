import Logging
import WeirKafka

/// The internal topic between the two stages of a repartitioned pipeline
/// (`<job>-<operator>-repartition`, docs/pipelines.md "keyBy and partitions").
public enum RepartitionTopic {
    /// Creates `topic` with as many partitions as the largest source topic,
    /// unless it exists (its partition count is then kept: a key's partition,
    /// and with it its state, depends on it). Call before the stages start, so
    /// the second stage's consumer and state topic see it. Returns its
    /// partition count, nil when the broker could not tell.
    @discardableResult
    public static func ensure(_ topic: String, sourceTopics: [String], kafka: KafkaConfig, logger: Logger) throws -> Int? {
        let admin = try KafkaAdmin(config: kafka)
        defer { admin.close() }
        if let n = try admin.partitionCount(topic: topic) { return n }
        let partitions = try sourceTopics.compactMap { try admin.partitionCount(topic: $0) }.max() ?? 1
        do {
            try admin.createTopics([(name: topic, partitions: partitions, replicationFactor: -1)], timeoutMs: 5000)
            logger.info("repartition topic created", metadata: ["topic": "\(topic)", "partitions": "\(partitions)"])
        } catch {
            // The embedded broker has no CreateTopics (weir dev creates the topic itself).
            logger.warning("repartition topic not created", metadata: ["topic": "\(topic)", "error": "\(error)"])
        }
        return try admin.partitionCount(topic: topic)
    }
}
