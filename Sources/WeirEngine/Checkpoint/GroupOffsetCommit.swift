import Foundation
import Logging
import WeirKafka

/// Commits input offsets to the consumer group, for the guarantees without
/// transactions. The group's offsets are progress for lag tools and other
/// readers; restore reads the checkpoint markers, so a commit that fails after
/// its marker was written loses nothing and is only logged.
enum GroupOffsetCommit {
    /// Waits for the group's answer, retrying transient errors a few times.
    static func sync(_ consumer: KafkaConsumer, _ offsets: [TopicPartitionOffset], task: String, logger: Logger) {
        guard !offsets.isEmpty else { return }   // librdkafka refuses an empty commit
        var attempt = 0
        while true {
            do {
                try consumer.commit(offsets: offsets, async: false)
                return
            } catch let e as KafkaError where e.kind == .retriable && attempt < 3 {
                attempt += 1
                Thread.sleep(forTimeInterval: 0.1 * Double(attempt))
            } catch {
                // E.g. the group rebalanced meanwhile: the next owner restores from the marker.
                logger.warning("offset commit failed", metadata: ["task": "\(task)", "error": "\(error)"])
                return
            }
        }
    }

    /// Sends the commit and returns at once; librdkafka drops the answer.
    static func async(_ consumer: KafkaConsumer, _ offsets: [TopicPartitionOffset], task: String, logger: Logger) {
        guard !offsets.isEmpty else { return }
        do { try consumer.commit(offsets: offsets, async: true) } catch {
            logger.warning("offset commit failed", metadata: ["task": "\(task)", "error": "\(error)"])
        }
    }
}
