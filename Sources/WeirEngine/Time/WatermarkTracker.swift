/// How a task derives its watermark from the event times it reads.
public struct WatermarkConfig: Sendable, Equatable {
    /// How much older than the newest event an event may arrive and still be
    /// on time: a partition's watermark is `max event time − maxOutOfOrdernessMs`.
    public var maxOutOfOrdernessMs: Int64
    /// After this much processing time without a record a partition is idle and
    /// stops holding the task's watermark back; nil = never idle.
    public var idleTimeoutMs: Int64?

    public init(maxOutOfOrdernessMs: Int64, idleTimeoutMs: Int64? = nil) {
        self.maxOutOfOrdernessMs = maxOutOfOrdernessMs
        self.idleTimeoutMs = idleTimeoutMs
    }
}

/// The watermark state machine of one task.
///
/// Per input partition it keeps the max event time seen and the processing
/// time of its last record, and from it the partition's own watermark: what a
/// Kafka task fires that partition's windows and judges its records' lateness
/// by (docs/windows.md, "Event time per partition"). The task watermark is the minimum over the
/// partitions that are not idle of `max − maxOutOfOrderness`, and it never goes
/// backwards. As in Flink's `WatermarkOutputMultiplexer`:
/// - a partition that has seen no record yet holds the watermark at its
///   minimum until it sends a record or goes idle;
/// - a partition is idle after `idleTimeout` of processing time without records
///   (counted from its last record, or from when it was added), and is active
///   again with its next record;
/// - when every partition is idle the watermark stays where it is.
/// Partitions are small non-negative ints (Kafka partition numbers); state is a
/// flat array indexed by them, so `observe` is O(1) and allocation-free.
public struct WatermarkTracker: Sendable {
    public let config: WatermarkConfig

    struct PartitionState: Sendable {
        var present = false
        var maxEventTime = Int64.min   // Int64.min = no record yet
        var lastActivityMs: Int64 = 0
        var idle = false
    }

    private var parts: [PartitionState] = []
    /// The task watermark (Int64.min until every active partition has a record).
    public private(set) var watermark: Int64 = .min

    public init(config: WatermarkConfig) { self.config = config }

    /// Starts tracking a partition (on assignment). A new partition holds the
    /// watermark back until its first record or its idle timeout.
    /// `restoredMaxEventTime` is the max event time a checkpoint recorded for it.
    public mutating func addPartition(_ p: Int, nowMs: Int64, restoredMaxEventTime: Int64? = nil) {
        guard p >= 0 else { return }
        if p >= parts.count { parts.append(contentsOf: repeatElement(PartitionState(), count: p + 1 - parts.count)) }
        parts[p] = PartitionState(present: true, maxEventTime: restoredMaxEventTime ?? .min, lastActivityMs: nowMs, idle: false)
    }

    /// Stops tracking a partition (revoked on rebalance).
    public mutating func removePartition(_ p: Int) {
        guard p >= 0 && p < parts.count else { return }
        parts[p] = PartitionState()
    }

    /// A partition's input has ended (a file read to its end): like Flink's
    /// finished split (which emits the maximum watermark) it stops holding the
    /// task's watermark back. It is kept as present, so its max event time stays
    /// known, and a later record would make it active again.
    public mutating func finishPartition(_ p: Int) {
        guard p >= 0 && p < parts.count && parts[p].present else { return }
        parts[p].idle = true
    }

    public var partitions: [Int] { parts.indices.filter { parts[$0].present } }

    /// Records one event (per record: O(1), no allocation). An unknown partition is added.
    /// Returns the partition's own watermark after the event.
    @inline(__always) @discardableResult
    public mutating func observe(partition p: Int, eventTimeMs: Int64, nowMs: Int64) -> Int64 {
        guard p >= 0 else { return .min }
        touch(partition: p, nowMs: nowMs)
        if eventTimeMs > parts[p].maxEventTime { parts[p].maxEventTime = eventTimeMs }
        return ownWatermark(parts[p].maxEventTime)
    }

    /// A partition's own watermark (`max event time − maxOutOfOrderness`);
    /// Int64.min before its first record or when not tracked. O(1).
    @inline(__always)
    public func watermark(partition p: Int) -> Int64 {
        guard p >= 0 && p < parts.count && parts[p].present else { return .min }
        return ownWatermark(parts[p].maxEventTime)
    }

    /// Calls `body` with every tracked partition and its own watermark, in
    /// partition order (per batch; no allocation).
    @inline(__always)
    public func forEachPartitionWatermark(_ body: (Int, Int64) throws -> Void) rethrows {
        for i in parts.indices where parts[i].present { try body(i, ownWatermark(parts[i].maxEventTime)) }
    }

    /// A record arrived on a partition whose event time is announced rather
    /// than read from its records (behind a repartition topic,
    /// `UpstreamWatermarks`): it is active, its watermark does not move.
    @inline(__always)
    public mutating func touch(partition p: Int, nowMs: Int64) {
        guard p >= 0 else { return }
        if p >= parts.count || !parts[p].present { addPartition(p, nowMs: nowMs) }
        parts[p].lastActivityMs = nowMs
        parts[p].idle = false
    }

    /// Whether `advance(nowMs:)` would now mark an active partition idle (for
    /// a first stage, whose announcements must then say so).
    public func idleTransitionDue(nowMs: Int64) -> Bool {
        parts.contains { $0.present && !$0.idle && idleBy($0, nowMs) }
    }

    /// A partition's own watermark (`max event time − maxOutOfOrderness`,
    /// Int64.min before its first record) and whether it is idle; nil when not tracked.
    public func partitionWatermark(_ p: Int) -> (watermark: Int64, idle: Bool)? {
        guard p >= 0 && p < parts.count && parts[p].present else { return nil }
        return (ownWatermark(parts[p].maxEventTime), parts[p].idle)
    }

    /// Marks partitions idle whose last record is older than the idle timeout
    /// and recomputes the watermark (call once per batch, or on a timer).
    /// Returns the watermark, which never decreases.
    @discardableResult
    public mutating func advance(nowMs: Int64) -> Int64 {
        let wm = peek(nowMs: nowMs)
        for i in parts.indices where parts[i].present && !parts[i].idle && idleBy(parts[i], nowMs) {
            parts[i].idle = true
        }
        watermark = wm
        return watermark
    }

    /// What `advance(nowMs:)` would return, without changing anything (for the
    /// task loop to ask whether time alone would fire a window).
    ///
    /// Partitions whose idle timeouts passed since the last call go idle in the
    /// order of their timeouts, as Flink's multiplexer sees them one at a time:
    /// after each timeout, the partitions still active then (later timeouts
    /// included) may raise the watermark. Without that order, a partition
    /// without records and one whose records came right after the assignment,
    /// timing out within one poll, went idle together and the watermark never
    /// passed the records' windows. Timeouts at the same millisecond count as
    /// simultaneous. No allocation.
    public func peek(nowMs: Int64) -> Int64 {
        // One pass for the common case (called per record by file jobs): no timeout passed.
        var minimum = Int64.max
        var anyActive = false, anyTimedOut = false
        for p in parts where p.present && !p.idle {
            if idleBy(p, nowMs) { anyTimedOut = true; continue }
            anyActive = true
            let w = ownWatermark(p.maxEventTime)
            if w < minimum { minimum = w }
        }
        let result = anyActive && minimum > watermark ? minimum : watermark
        return anyTimedOut ? max(result, highestDuringTimeouts(nowMs)) : result
    }

    /// The highest watermark reached while the timed-out partitions go idle one
    /// timeout after the other (Int64.min when no partition was active meanwhile).
    private func highestDuringTimeouts(_ nowMs: Int64) -> Int64 {
        var result = Int64.min
        var passed = Int64.min   // timeouts up to this one are accounted for
        while true {
            var next = Int64.max
            for p in parts where p.present && !p.idle && idleBy(p, nowMs) && p.lastActivityMs > passed {
                if p.lastActivityMs < next { next = p.lastActivityMs }
            }
            guard next != .max else { return result }
            passed = next
            // Right after these timeouts: the partitions not timed out yet, or timing out later.
            if let w = minimumActive(nowMs, { $0.lastActivityMs > next }), w > result { result = w }
        }
    }

    /// The lowest own watermark of the partitions that are not idle and either
    /// not timed out at `nowMs` or `stillActive`; nil when there is none.
    @inline(__always)
    private func minimumActive(_ nowMs: Int64, _ stillActive: (PartitionState) -> Bool) -> Int64? {
        var minimum = Int64.max
        var any = false
        for p in parts where p.present && !p.idle && (!idleBy(p, nowMs) || stillActive(p)) {
            any = true
            let w = ownWatermark(p.maxEventTime)
            if w < minimum { minimum = w }
        }
        return any ? minimum : nil
    }

    /// Saturating: a partition without records holds the watermark at Int64.min,
    /// and no configured out-of-orderness can wrap around.
    @inline(__always)
    private func ownWatermark(_ m: Int64) -> Int64 {
        let (d, overflow) = m.subtractingReportingOverflow(config.maxOutOfOrdernessMs)
        return m == .min ? Int64.min : (overflow ? (config.maxOutOfOrdernessMs > 0 ? .min : .max) : d)
    }

    @inline(__always)
    private func idleBy(_ p: PartitionState, _ nowMs: Int64) -> Bool {
        guard let t = config.idleTimeoutMs else { return false }
        return nowMs - p.lastActivityMs >= t
    }

    public func isIdle(_ p: Int) -> Bool { p >= 0 && p < parts.count && parts[p].present && parts[p].idle }

    /// The max event time seen on a partition (for the checkpoint marker), nil if none.
    public func maxEventTime(_ p: Int) -> Int64? {
        guard p >= 0 && p < parts.count && parts[p].present && parts[p].maxEventTime != .min else { return nil }
        return parts[p].maxEventTime
    }

    /// Restores the task watermark from a checkpoint (it only moves forward).
    public mutating func restoreWatermark(_ wm: Int64) { if wm > watermark { watermark = wm } }
}
