import WeirKafka

/// For every input partition a task owns, the offset after the last record it
/// processed: what a checkpoint may claim as read (the marker's next offset).
///
/// Not the consumer's position: librdkafka advances that as it collects a
/// batch, and serves rebalance callbacks while collecting. A checkpoint taken
/// in the revoke callback then claimed records of the batch the task had not
/// processed yet, and the batch was processed after the partitions had gone:
/// by a task that no longer owned them (its output committed, or lost if the
/// task died, and its state orphaned). So records are processed only for
/// partitions the task owns, in offset order, and checkpoints use these offsets.
///
/// Per record: one topic lookup (cached for the last topic) and one array
/// access; no allocation.
struct ReadPositions {
    /// Owned, but where reading starts is the consumer's decision (no checkpoint).
    static let unknown: Int64 = -1
    private static let notOwned: Int64 = .min

    private let topics: [String]
    /// [topic index][partition]: the next offset to process, `unknown` or `notOwned`.
    private var next: [[Int64]]
    /// [topic index][partition]: the Kafka timestamp of the last record processed (-1: none).
    private var lastTimestamp: [[Int64]]
    private var lastTopic = ""
    private var lastIndex = -1

    init(topics: [String]) {
        self.topics = topics
        next = Array(repeating: [], count: topics.count)
        lastTimestamp = Array(repeating: [], count: topics.count)
    }

    /// The task owns `tp` from now on; it processes from `offset` (nil: wherever the consumer starts).
    mutating func assign(_ tp: TopicPartition, from offset: Int64?) {
        guard let t = topics.firstIndex(of: tp.topic), tp.partition >= 0 else { return }
        let p = Int(tp.partition)
        if p >= next[t].count { next[t].append(contentsOf: repeatElement(Self.notOwned, count: p + 1 - next[t].count)) }
        if p >= lastTimestamp[t].count { lastTimestamp[t].append(contentsOf: repeatElement(-1, count: p + 1 - lastTimestamp[t].count)) }
        next[t][p] = offset ?? Self.unknown
        lastTimestamp[t][p] = -1
    }

    mutating func revoke(_ tp: TopicPartition) {
        guard let t = topics.firstIndex(of: tp.topic), tp.partition >= 0, Int(tp.partition) < next[t].count else { return }
        next[t][Int(tp.partition)] = Self.notOwned
    }

    /// The offset after the last record processed (or where processing starts);
    /// nil when not owned or not known yet.
    func nextOffset(_ tp: TopicPartition) -> Int64? {
        guard let t = topics.firstIndex(of: tp.topic), tp.partition >= 0, Int(tp.partition) < next[t].count else { return nil }
        let n = next[t][Int(tp.partition)]
        return n >= 0 ? n : nil
    }

    /// Whether to process this record, and if so it counts as processed: the
    /// partition is owned and the offset is not before the next one expected
    /// (records collected before a rebalance that are read again after it).
    /// The Kafka timestamp of the last record processed from `tp` (nil: none yet).
    func lastTimestampMs(_ tp: TopicPartition) -> Int64? {
        guard let t = topics.firstIndex(of: tp.topic), tp.partition >= 0, Int(tp.partition) < lastTimestamp[t].count else { return nil }
        let ts = lastTimestamp[t][Int(tp.partition)]
        return ts >= 0 ? ts : nil
    }

    @inline(__always)
    mutating func accept(topic: String, partition: Int32, offset: Int64, timestampMs: Int64 = -1) -> Bool {
        if topic != lastTopic {
            guard let t = topics.firstIndex(of: topic) else { return false }
            lastTopic = topic; lastIndex = t
        }
        let p = Int(partition)
        guard p >= 0 && p < next[lastIndex].count else { return false }
        let expected = next[lastIndex][p]
        guard expected != Self.notOwned, offset >= expected else { return false }
        next[lastIndex][p] = offset + 1
        lastTimestamp[lastIndex][p] = timestampMs
        return true
    }
}
