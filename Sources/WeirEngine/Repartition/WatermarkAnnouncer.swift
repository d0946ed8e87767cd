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
        if sourceTopics.count == 1 { return Int(partition) }
        let t = sourceTopics.firstIndex(of: topic) ?? 0
        return t + Int(partition) * sourceTopics.count
    }

    /// Announces each of `assigned`'s watermarks (as `tracker` has them) to every repartition partition.
    func announce(_ tracker: WatermarkTracker, assigned: [TopicPartition], producer: KafkaProducer) throws {
        var entries: [WatermarkAnnouncement.Entry] = []
        for tp in assigned {
            guard let t = sourceTopics.firstIndex(of: tp.topic), tp.partition < partitionCounts[t],
                  let w = tracker.partitionWatermark(trackerIndex(topic: tp.topic, partition: tp.partition)) else { continue }
            entries.append(.init(topicIndex: t, partition: tp.partition, watermark: w.watermark, idle: w.idle))
        }
        guard !entries.isEmpty else { return }
        let bytes = WatermarkAnnouncement(partitionCounts: partitionCounts, entries: entries).encoded()
        let headers = [KafkaHeader(name: WatermarkAnnouncement.header, value: bytes)]
        let empty: [UInt8] = []
        try empty.withUnsafeBytes { value in
            for p in 0..<sinkPartitions {
                try producer.produce(handle, partition: p, key: nil, value: value, headers: headers)
            }
        }
    }
}
