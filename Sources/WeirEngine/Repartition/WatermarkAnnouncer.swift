import WeirKafka

/// Writes a first stage's `WatermarkAnnouncement` into every partition of
/// the repartition topic at each checkpoint, inside its transaction and after
/// the records it covers, so the second stage reads it in order with them.
/// One record per repartition partition and checkpoint (all of the task's
/// source partitions in it): off the per-record path.
final class WatermarkAnnouncer {
    private let handle: KafkaTopicHandle
    private let sinkPartitions: Int32
    private let sourceTopics: [String]
    private let partitionCounts: [Int32]

    /// Asks the broker how many partitions the source topics and the
    /// repartition topic have (once per task start).
    init(producer: KafkaProducer, sinkTopic: String, sourceTopics: [String], kafka: KafkaConfig) throws {
        let admin = try KafkaAdmin(config: kafka)
        defer { admin.close() }
        guard let sink = try admin.partitionCount(topic: sinkTopic) else {
            throw KafkaError.local("the repartition topic \(sinkTopic) does not exist (weir run and weir dev create it before the stages start)")
        }
        var counts: [Int32] = []
        for t in sourceTopics {
            guard let n = try admin.partitionCount(topic: t) else { throw KafkaError.local("source topic \(t) does not exist") }
            counts.append(Int32(n))
        }
        handle = try producer.topic(sinkTopic)
        sinkPartitions = Int32(sink)
        self.sourceTopics = sourceTopics
        partitionCounts = counts
    }

    /// Where the task's watermark tracker keeps a source partition: the
    /// partition itself for one topic; interleaved by topic for several (so
    /// partition 0 of two topics are two partitions, and the index stays small).
    @inline(__always)
    func trackerIndex(topic: String, partition: Int32) -> Int {
        Self.trackerIndex(topicIndex: sourceTopics.firstIndex(of: topic) ?? 0, partition: partition, topicCount: sourceTopics.count)
    }

    /// `trackerIndex(topic:partition:)` by the topic's place among the source topics.
    @inline(__always)
    static func trackerIndex(topicIndex t: Int, partition: Int32, topicCount: Int) -> Int {
        topicCount == 1 ? Int(partition) : t + Int(partition) * topicCount
    }

    /// Announces each of `assigned`'s watermarks (as `tracker` has them) to every repartition partition.
    func announce(_ tracker: WatermarkTracker, assigned: [TopicPartition], producer: KafkaProducer) throws {
        let owned = assigned.compactMap { tp in sourceTopics.firstIndex(of: tp.topic).map { (topicIndex: $0, partition: tp.partition) } }
        guard let a = Self.announcement(tracker, owned: owned, partitionCounts: partitionCounts) else { return }
        let bytes = a.encoded()
        let headers = [KafkaHeader(name: WatermarkAnnouncement.header, value: bytes)]
        let empty: [UInt8] = []
        try empty.withUnsafeBytes { value in
            for p in 0..<sinkPartitions {
                try producer.produce(handle, partition: p, key: nil, value: value, headers: headers)
            }
        }
    }

    /// What a first stage announces for the source partitions it owns (by
    /// topic index), as `tracker` has them; nil when it tracks none of them.
    static func announcement(_ tracker: WatermarkTracker, owned: [(topicIndex: Int, partition: Int32)],
                             partitionCounts: [Int32]) -> WatermarkAnnouncement? {
        var entries: [WatermarkAnnouncement.Entry] = []
        for o in owned {
            guard o.topicIndex < partitionCounts.count, o.partition < partitionCounts[o.topicIndex],
                  let w = tracker.partitionWatermark(trackerIndex(topicIndex: o.topicIndex, partition: o.partition,
                                                                  topicCount: partitionCounts.count)) else { continue }
            entries.append(.init(topicIndex: o.topicIndex, partition: o.partition, watermark: w.watermark, idle: w.idle))
        }
        return entries.isEmpty ? nil : WatermarkAnnouncement(partitionCounts: partitionCounts, entries: entries)
    }
}
