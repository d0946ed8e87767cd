/// The second stage's view of event time behind a repartition topic: per
/// repartition partition, the newest watermark announced for every source
/// partition (`WatermarkAnnouncement`), and from them the partition's
/// watermark — the minimum over source partitions that are not idle, as
/// Flink's `StatusWatermarkValve` takes it over input channels.
///
/// A source partition not heard from yet holds the partition back (stage 1
/// may not have started, or has not checkpointed since this task restored);
/// when every source partition is idle the watermark stays where it is.
/// Announcements are rare (one per stage-1 task and checkpoint), so this may
/// allocate; the per-record path never calls it.
public struct UpstreamWatermarks: Sendable {
    struct Source: Sendable {
        var watermark = Int64.min
        var heard = false
        var idle = false
    }

    /// [repartition partition][topic][source partition]
    private var tables: [[[Source]]] = []

    public init() {}

    /// Applies `a`, read from repartition partition `partition`. Returns the
    /// partition's watermark when every source partition has been heard from
    /// and at least one is not idle; nil otherwise (keep the current one).
    public mutating func apply(_ a: WatermarkAnnouncement, partition: Int) -> Int64? {
        guard partition >= 0 else { return nil }
        if partition >= tables.count { tables.append(contentsOf: repeatElement([], count: partition + 1 - tables.count)) }
        var table = tables[partition]
        tables[partition] = []   // no copy on write below
        // Topics or partitions added upstream grow the table; a smaller count is
        // an older announcement and changes nothing.
        if table.count < a.partitionCounts.count { table.append(contentsOf: repeatElement([], count: a.partitionCounts.count - table.count)) }
        for (t, n) in a.partitionCounts.enumerated() where table[t].count < Int(n) {
            table[t].append(contentsOf: repeatElement(Source(), count: Int(n) - table[t].count))
        }
        for e in a.entries where e.topicIndex < table.count && Int(e.partition) < table[e.topicIndex].count {
            var s = table[e.topicIndex][Int(e.partition)]
            // A partition moving between stage-1 tasks restarts from its
            // checkpoint, which may be older than what its last owner announced.
            s.watermark = max(s.watermark, e.watermark)
            s.heard = true
            s.idle = e.idle
            table[e.topicIndex][Int(e.partition)] = s
        }
        tables[partition] = table
        return watermark(partition)
    }

    /// The partition's watermark, nil while a source partition is unheard or all are idle.
    public func watermark(_ partition: Int) -> Int64? {
        guard partition >= 0 && partition < tables.count, !tables[partition].isEmpty else { return nil }
        var minimum = Int64.max
        var anyActive = false
        for topic in tables[partition] {
            for s in topic {
                guard s.heard else { return nil }
                if s.idle { continue }
                anyActive = true
                minimum = min(minimum, s.watermark)
            }
        }
        return anyActive ? minimum : nil
    }

    /// The partition left this task (revoked or lost): its next owner starts over.
    public mutating func remove(partition: Int) {
        guard partition >= 0 && partition < tables.count else { return }
        tables[partition] = []
    }
}
