import Synchronization

/// Counters of one task, written by the task thread once per batch (not per
/// record) and read by the control plane (progress, later /metrics).
public final class TaskMetrics: Sendable {
    public let consumed = Atomic<Int>(0)
    /// Input records fully handled: emitted, filtered, dead-lettered or absorbed into state.
    public let handled = Atomic<Int>(0)
    public let emitted = Atomic<Int>(0)
    public let late = Atomic<Int>(0)
    public let filtered = Atomic<Int>(0)
    public let deadLettered = Atomic<Int>(0)
    public let commits = Atomic<Int>(0)
    public let aborts = Atomic<Int>(0)
    /// Assignments that restored at least one partition from a checkpoint or savepoint.
    public let restores = Atomic<Int>(0)
    /// Monotonic nanoseconds when the task subscribed and when it first got partitions (0 = not yet).
    public let subscribedNanos = Atomic<UInt64>(0)
    public let assignedNanos = Atomic<UInt64>(0)
    /// True while an assignment is being restored; monotonic nanoseconds when the
    /// last one was done (0 = never). A bounded run is not idle while restoring.
    public let restoring = Atomic<Bool>(false)
    public let restoredNanos = Atomic<UInt64>(0)
    /// True from a revocation (or loss) until the next assignment: the task is
    /// between owners of its partitions, and a bounded run must not count that
    /// gap as idleness (the partitions may come back to this task).
    public let rebalancing = Atomic<Bool>(false)
    /// Monotonic nanoseconds of the first record processed (0 = none yet).
    public let firstRecordNanos = Atomic<UInt64>(0)

    /// How long each periodic checkpoint kept the task from processing
    /// records (the inline checkpoints of a revoke, a stop or a savepoint are
    /// taken when nothing is processed, and are counted in `checkpointDurations`).
    public let checkpointPauses = PauseHistogram()
    /// Serializing each checkpoint's state and handing it and the markers to
    /// the producer: on the commit worker, outside the pause, when the
    /// checkpoint is asynchronous (exactly-once, operators that copy their
    /// state); inside it otherwise.
    public let checkpointSnapshots = PauseHistogram()
    /// From a checkpoint's start until it is durable (its commit acknowledged);
    /// longer than the pause when the commit overlaps processing.
    public let checkpointDurations = PauseHistogram()
    /// Bytes of state each checkpoint wrote (its snapshot chunks), as samples.
    public let checkpointBytes = PauseHistogram()
    /// Bytes of the last committed snapshot of each partition the task holds, summed.
    public let stateBytes = Atomic<Int>(0)
    /// Keys and windows (or running aggregates) in the task's state, published with its partitions.
    public let stateKeys = Atomic<Int>(0)
    public let stateEntries = Atomic<Int>(0)
    /// A pattern step's counters (docs/metrics.md, "Pattern steps"): set once per
    /// batch from the operator's own (`PatternCounters`), never per record.
    /// Partial matches alive are published with the partitions (about once a second).
    public let isPattern = Atomic<Bool>(false)
    public let patternMatches = Atomic<Int>(0)
    public let patternTimedOut = Atomic<Int>(0)
    public let patternDroppedPartialMatches = Atomic<Int>(0)
    public let patternLateRecords = Atomic<Int>(0)
    public let patternPartialMatches = Atomic<Int>(0)

    /// Bytes of the records read (key and value) and written to the sink.
    public let bytesIn = Atomic<Int>(0)
    public let bytesOut = Atomic<Int>(0)
    /// Nanoseconds spent on batches that had records (Flink's busy time), and
    /// waiting for the previous checkpoint's commit before going on (back-pressure).
    public let busyNanos = Atomic<UInt64>(0)
    public let backPressuredNanos = Atomic<UInt64>(0)

    private let partitionBoard = Mutex<[PartitionStatus]>([])
    private let checkpointRing = Mutex<[CheckpointRecord]>([])
    public static let checkpointHistory = 10
    private let deadLetterRing = Mutex<[DeadLetterSample]>([])
    public static let deadLetterSamples = 100

    public init() {}

    /// The task's partitions as last published (about once a second).
    public var partitions: [PartitionStatus] { partitionBoard.withLock { $0 } }
    public func publish(partitions: [PartitionStatus]) { partitionBoard.withLock { $0 = partitions } }

    /// The task's last checkpoints (completed or failed), newest last.
    public var recentCheckpoints: [CheckpointRecord] { checkpointRing.withLock { $0 } }
    public func record(checkpoint: CheckpointRecord) {
        checkpointRing.withLock { ring in
            ring.append(checkpoint)
            if ring.count > Self.checkpointHistory { ring.removeFirst(ring.count - Self.checkpointHistory) }
        }
    }

    /// The newest dead-lettered records, newest last.
    public var deadLetters: [DeadLetterSample] { deadLetterRing.withLock { $0 } }
    public func publish(deadLetters new: [DeadLetterSample]) {
        guard !new.isEmpty else { return }
        deadLetterRing.withLock { ring in
            ring.append(contentsOf: new.suffix(Self.deadLetterSamples))
            if ring.count > Self.deadLetterSamples { ring.removeFirst(ring.count - Self.deadLetterSamples) }
        }
    }

    public var processed: Int { handled.load(ordering: .relaxed) }

    /// Publishes a pattern operator's counters (once per batch; the operator's are cumulative).
    public func publish(pattern c: PatternCounters) {
        isPattern.store(true, ordering: .relaxed)
        patternMatches.store(c.matches, ordering: .relaxed)
        patternTimedOut.store(c.timedOut, ordering: .relaxed)
        patternDroppedPartialMatches.store(c.droppedPartialMatches, ordering: .relaxed)
        patternLateRecords.store(c.lateRecords, ordering: .relaxed)
    }

    /// Publishes a chain's counts (once per batch).
    public func add(_ c: RecordChain.Counts) {
        if c.records > 0 { handled.add(c.records, ordering: .relaxed) }
        if c.emitted > 0 { emitted.add(c.emitted, ordering: .relaxed) }
        if c.filtered > 0 { filtered.add(c.filtered, ordering: .relaxed) }
        if c.deadLettered > 0 { deadLettered.add(c.deadLettered, ordering: .relaxed) }
        if c.late > 0 { late.add(c.late, ordering: .relaxed) }
    }
}

/// One checkpoint of one task, for the REST API's checkpoint history (once per
/// checkpoint: a lock is fine).
public struct CheckpointRecord: Sendable, Equatable {
    public enum Status: String, Sendable { case completed = "COMPLETED", failed = "FAILED" }
    public var id: UInt64
    public var status: Status
    /// Wall-clock ms when it started and when it ended.
    public var triggerMs: Int64
    public var endMs: Int64
    public var stateBytes: Int
    public var partitions: Int
    public var isSavepoint: Bool
    /// How long the task loop stopped processing for it (the snapshot; the commit too when it does not overlap).
    public var pauseMs: Double?
    public init(id: UInt64, status: Status, triggerMs: Int64, endMs: Int64, stateBytes: Int, partitions: Int,
                isSavepoint: Bool = false, pauseMs: Double? = nil) {
        self.id = id; self.status = status; self.triggerMs = triggerMs; self.endMs = endMs
        self.stateBytes = stateBytes; self.partitions = partitions; self.isSavepoint = isSavepoint; self.pauseMs = pauseMs
    }
}

/// The sum over a job's tasks, as a plain value for printing and tests.
public struct MetricsSnapshot: Sendable, Equatable {
    public var consumed = 0, processed = 0, emitted = 0, filtered = 0, deadLettered = 0, late = 0, commits = 0, aborts = 0

    public init(_ tasks: [TaskMetrics]) {
        for m in tasks {
            consumed += m.consumed.load(ordering: .relaxed)
            processed += m.handled.load(ordering: .relaxed)
            late += m.late.load(ordering: .relaxed)
            emitted += m.emitted.load(ordering: .relaxed)
            filtered += m.filtered.load(ordering: .relaxed)
            deadLettered += m.deadLettered.load(ordering: .relaxed)
            commits += m.commits.load(ordering: .relaxed)
            aborts += m.aborts.load(ordering: .relaxed)
        }
    }
}

/// Durations of checkpoint pauses (one sample per checkpoint, so a lock is fine
/// here: it is never on the per-record path).
public final class PauseHistogram: Sendable {
    private let samples = Mutex<[UInt64]>([])
    /// Samples ever recorded (the list keeps the newest 10,000).
    private let recorded = Atomic<Int>(0)

    public func record(nanos: UInt64) {
        samples.withLock { s in
            if s.count >= 10_000 { s.removeFirst(s.count - 9_999) }
            s.append(nanos)
        }
        recorded.add(1, ordering: .releasing)
    }

    public var total: Int { recorded.load(ordering: .acquiring) }

    /// The samples recorded after the first `seen` (as far as they are kept), raw, and the new total.
    public func samples(after seen: Int) -> (values: [UInt64], total: Int) {
        samples.withLock { s in
            let total = recorded.load(ordering: .acquiring)
            return (Array(s.suffix(min(s.count, max(0, total - seen)))), total)
        }
    }

    /// The q-quantile in milliseconds (nil: no samples).
    public func quantileMs(_ q: Double) -> Double? {
        samples.withLock { s in
            guard !s.isEmpty else { return nil }
            let sorted = s.sorted()
            let i = min(sorted.count - 1, max(0, Int((Double(sorted.count) * q).rounded(.up)) - 1))
            return Double(sorted[i]) / 1e6
        }
    }

    public var count: Int { samples.withLock { $0.count } }

    /// Samples in milliseconds (the newest 10,000), for summaries off the task thread.
    public var samplesMs: [Double] { samples.withLock { $0.map { Double($0) / 1e6 } } }
}
