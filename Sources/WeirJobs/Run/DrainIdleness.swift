/// Decides when a bounded run's input has ended: no record for `idleNanos`,
/// counted only while the job's tasks are settled. Pure (times are passed in),
/// so its rules are unit-tested without a broker; `DrainMonitor` samples the
/// tasks' metrics into it every 50 ms.
///
/// Idle time does not count
/// - before any task got partitions (joining the group is not idleness),
/// - while a task restores an assignment, nor before the latest restore ended,
/// - while a task is between a revocation and its next assignment: an instance
///   whose partitions are revoked holds nothing, and if it ended then, the
///   partitions the rebalance gives back to it would never be flushed (their
///   last windows lost: found by tests/scaleout/instances.sh with instances of
///   different idle limits). A rebalance longer than `rebalanceCapNanos` stops
///   holding the drain back (`rebalanceCapped` tells; the monitor logs it), so a
///   stuck group cannot keep a bounded run alive for ever.
public struct DrainIdleness: Sendable {
    /// One task's state at a sample.
    public struct TaskSample: Sendable {
        public var assignedNanos: UInt64
        public var restoring: Bool
        public var restoredNanos: UInt64
        public var rebalancing: Bool
        public init(assignedNanos: UInt64, restoring: Bool, restoredNanos: UInt64, rebalancing: Bool) {
            self.assignedNanos = assignedNanos; self.restoring = restoring
            self.restoredNanos = restoredNanos; self.rebalancing = rebalancing
        }
    }

    public let idleNanos: UInt64
    public let rebalanceCapNanos: UInt64
    private var lastProcessed = -1
    private var since: UInt64 = 0
    private var rebalanceSince: UInt64?
    /// When the processed count last changed (0 = never): the end of the input's processing.
    public private(set) var lastProgressNanos: UInt64 = 0
    /// Set once a rebalance outlasted the cap (and idle time counts again).
    public private(set) var rebalanceCapped = false

    public init(idleMs: Int, rebalanceCapMs: Int = 120_000) {
        idleNanos = UInt64(max(idleMs, 0)) * 1_000_000
        rebalanceCapNanos = UInt64(max(rebalanceCapMs, 0)) * 1_000_000
    }

    /// True once the input counts as ended.
    public mutating func observe(now: UInt64, processed: Int, tasks: [TaskSample]) -> Bool {
        if since == 0 { since = now }
        guard let assignedAt = tasks.map(\.assignedNanos).filter({ $0 > 0 }).min() else { return false }
        if tasks.contains(where: \.restoring) { since = now; return false }
        if tasks.contains(where: \.rebalancing) {
            let start = rebalanceSince ?? now
            rebalanceSince = start
            if now - start < rebalanceCapNanos { since = now; return false }
            rebalanceCapped = true
        } else {
            rebalanceSince = nil
        }
        if processed != lastProcessed {
            if lastProcessed >= 0 { lastProgressNanos = now }
            lastProcessed = processed; since = now; return false
        }
        let restoredAt = tasks.map(\.restoredNanos).max() ?? 0
        since = max(since, restoredAt)
        return now - max(since, assignedAt) >= idleNanos
    }
}
