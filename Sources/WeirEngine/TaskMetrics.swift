import Synchronization

/// Counters of one task, written by the task thread once per batch (not per
/// record) and read by the control plane (progress, later /metrics).
public final class TaskMetrics: Sendable {
    public let consumed = Atomic<Int>(0)
    public let emitted = Atomic<Int>(0)
    public let filtered = Atomic<Int>(0)
    public let deadLettered = Atomic<Int>(0)
    public let commits = Atomic<Int>(0)
    public let aborts = Atomic<Int>(0)
    /// Monotonic nanoseconds of the first record processed (0 = none yet).
    public let firstRecordNanos = Atomic<UInt64>(0)

    public init() {}

    /// Records fully handled: emitted, filtered out or dead-lettered.
    public var processed: Int {
        emitted.load(ordering: .relaxed) + filtered.load(ordering: .relaxed) + deadLettered.load(ordering: .relaxed)
    }
}

/// The sum over a job's tasks, as a plain value for printing and tests.
public struct MetricsSnapshot: Sendable, Equatable {
    public var consumed = 0, emitted = 0, filtered = 0, deadLettered = 0, commits = 0, aborts = 0
    public var processed: Int { emitted + filtered + deadLettered }

    public init(_ tasks: [TaskMetrics]) {
        for m in tasks {
            consumed += m.consumed.load(ordering: .relaxed)
            emitted += m.emitted.load(ordering: .relaxed)
            filtered += m.filtered.load(ordering: .relaxed)
            deadLettered += m.deadLettered.load(ordering: .relaxed)
            commits += m.commits.load(ordering: .relaxed)
            aborts += m.aborts.load(ordering: .relaxed)
        }
    }
}
