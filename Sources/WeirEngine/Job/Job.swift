import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import WeirKafka

/// A running job: `parallelism` task slots, each running a `StreamTask` on its
/// own OS thread, all members of the source's consumer group. A failed task is
/// replaced under the job's restart strategy (a new task in the same slot: same
/// `transactional.id`, so it fences what is left of the old one); when the
/// strategy gives up, the job fails with the cause.
///
/// A swift-service-lifecycle `Service`: on graceful shutdown every task
/// finishes its batch, checkpoints and leaves the group.
public final class Job: Service, @unchecked Sendable {
    public let spec: JobSpec
    public let runtime: RuntimeConfig
    /// Per slot, kept across restarts of the slot's task.
    public let slotMetrics: [TaskMetrics]
    /// What happens to the job's tasks, for its owner's status (the job manager's RESTARTING).
    public enum TaskEvent: Sendable { case failedWillRestart, restarted }
    private let taskEvents = Mutex<(@Sendable (TaskEvent) -> Void)?>(nil)
    public func onTaskEvent(_ handler: @escaping @Sendable (TaskEvent) -> Void) { taskEvents.withLock { $0 = handler } }
    private func notify(_ e: TaskEvent) { taskEvents.withLock { $0 }?(e) }
    /// The fields its keyed state is keyed by (empty when it has none).
    public let keyFieldNames: [String]
    private let logger: Logger
    private let current: Mutex<[StreamTask?]>
    private let tracker: Mutex<RestartTracker>
    private let stopping = Atomic<Bool>(false)
    private let flushing = Atomic<Bool>(false)
    public let restarts = Atomic<Int>(0)
    private let ended = Atomic<Bool>(false)
    private let savepoint: SavepointRestore?
    private let failureHistory = Mutex<[TaskFailure]>([])

    /// A task's failure, kept for the REST API's exception history.
    public struct TaskFailure: Sendable {
        public var timestampMs: Int64
        public var slot: Int
        /// The error's type and text, then each cause's.
        public var name: String
        public var causeChain: String
    }

    /// The newest task failures (at most 10), oldest first.
    public var failures: [TaskFailure] { failureHistory.withLock { $0 } }

    private func recordFailure(_ error: Error, slot: Int) {
        var chain = ["\(type(of: error)): \(error)"]
        if let failed = error as? JobFailed { chain.append("caused by \(type(of: failed.cause)): \(failed.cause)") }
        let f = TaskFailure(timestampMs: Int64(Date().timeIntervalSince1970 * 1000), slot: slot,
                            name: String(describing: type(of: error)), causeChain: chain.joined(separator: "\n"))
        failureHistory.withLock { h in
            h.append(f)
            if h.count > 10 { h.removeFirst(h.count - 10) }
        }
    }

    /// `savepoint`: start every partition from it (checked against the pipeline
    /// in `run()` before anything starts).
    public init(spec: JobSpec, runtime: RuntimeConfig, savepoint: Savepoint? = nil, logger: Logger = Logger(label: "weir.job")) {
        self.savepoint = savepoint.map(SavepointRestore.init)
        self.spec = spec
        self.runtime = runtime
        self.logger = logger
        let n = max(1, spec.parallelism)
        slotMetrics = (0..<n).map { _ in TaskMetrics() }
        current = Mutex(Array(repeating: nil, count: n))
        tracker = Mutex(RestartTracker(runtime.restart))
        keyFieldNames = (try? spec.stateful?.makeOperator())?.keyFieldNames ?? []
    }

    public var metrics: MetricsSnapshot { MetricsSnapshot(slotMetrics) }

    /// True once `run()` has returned or thrown: every task has checkpointed
    /// and closed (a stage feeding another has then committed all its output).
    public var hasEnded: Bool { ended.load(ordering: .acquiring) }

    /// Monotonic time of the first record any task processed (nil: none yet).
    public var firstRecordNanos: UInt64? {
        slotMetrics.map { $0.firstRecordNanos.load(ordering: .relaxed) }.filter { $0 > 0 }.min()
    }

    /// Asks every task to checkpoint and stop; `run()` returns once they have.
    /// `flush`: the input has ended, fire every open window first.
    public func stop(flush: Bool = false) {
        if flush { flushing.store(true, ordering: .releasing) }
        stopping.store(true, ordering: .releasing)
        current.withLock { $0.forEach { $0?.requestStop(flush: flush) } }
    }

    /// Stops with a savepoint: every task's last checkpoint is written to the
    /// collector (Flink's stop-with-savepoint); `flush` fires every open window first.
    public func stop(flush: Bool = false, savepoint: SavepointCollector) {
        if flush { flushing.store(true, ordering: .releasing) }
        stopping.store(true, ordering: .releasing)
        current.withLock { $0.forEach { $0?.requestStop(flush: flush, savepoint: savepoint) } }
    }

    /// Takes a savepoint into `directory`: every running task checkpoints and
    /// writes its partitions; poll `isDone` on the result.
    public func requestSavepoint(directory: String) throws -> SavepointCollector {
        let collector = try SavepointCollector(directory: directory, job: spec.name, slots: slotMetrics.count)
        current.withLock { $0.forEach { $0?.requestSavepoint(collector) } }
        return collector
    }

    /// A collector for this job's tasks in one instance of several (`part`),
    /// for `stop(savepoint:)` or `requestSavepoint(_:)`.
    public func savepointCollector(directory: String, part: SavepointCollector.Part?) throws -> SavepointCollector {
        try SavepointCollector(directory: directory, job: spec.name, slots: slotMetrics.count, part: part)
    }

    /// Asks every running task about one key's state; returns how many were
    /// asked (poll `query.answered` until it reaches that).
    public func queryState(_ query: StateQuery) -> Int {
        current.withLock { tasks in
            var asked = 0
            for t in tasks { if let t { t.requestQuery(query); asked += 1 } }
            return asked
        }
    }


    /// Asks every running task for a checkpoint now.
    public func requestCheckpoint() {
        current.withLock { $0.forEach { $0?.requestCheckpoint() } }
    }

    /// Asks every running task to write its partitions to `collector`.
    public func requestSavepoint(_ collector: SavepointCollector) {
        current.withLock { $0.forEach { $0?.requestSavepoint(collector) } }
    }

    public func run() async throws {
        defer { ended.store(true, ordering: .releasing) }
        try runtime.validate(transactional: spec.sink.deliveryGuarantee == .exactlyOnce)
        try savepoint?.checkCompatible(with: spec)
        logger.info("job starting", metadata: ["job": "\(spec.name)", "parallelism": "\(slotMetrics.count)"])
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for slot in slotMetrics.indices {
                    group.addTask { try await self.runSlot(slot) }
                }
                do {
                    // next(), not waitForAll(): waitForAll rethrows only once every slot
                    // has ended, and the healthy slots of a streaming job never end.
                    while try await group.next() != nil {}
                } catch {
                    // The job failed: stop the other slots cleanly, then report.
                    stop()
                    while (try? await group.next()) != nil {}
                    throw error
                }
            }
        } onGracefulShutdown: { [self] in
            stop()
        }
        logger.info("job stopped", metadata: ["job": "\(spec.name)"])
    }

    /// Runs the slot's task, replacing it after failures while the restart
    /// strategy allows.
    private func runSlot(_ slot: Int) async throws {
        while true {
            let task = StreamTask(job: spec, runtime: runtime, slot: slot, metrics: slotMetrics[slot], savepoint: savepoint, logger: logger)
            current.withLock { $0[slot] = task }
            if stopping.load(ordering: .acquiring) { task.requestStop(flush: flushing.load(ordering: .acquiring)) }
            do {
                try await Self.runOnThread(task)
                return
            } catch {
                recordFailure(error, slot: slot)
                if stopping.load(ordering: .acquiring) { throw error }
                let now = Int64(monotonicNanos() / 1_000_000)
                guard let delay = tracker.withLock({ $0.onFailure(nowMs: now) }) else {
                    logger.error("job failed: restart strategy exhausted", metadata: [
                        "job": "\(spec.name)", "slot": "\(slot)", "cause": "\(error)"])
                    throw JobFailed(job: spec.name, cause: error)
                }
                restarts.add(1, ordering: .relaxed)
                logger.warning("task failed; restarting", metadata: [
                    "job": "\(spec.name)", "slot": "\(slot)", "delayMs": "\(delay)", "cause": "\(error)"])
                notify(.failedWillRestart)
                try? await Task.sleep(for: .milliseconds(delay))
                if stopping.load(ordering: .acquiring) { return }
                notify(.restarted)
            }
        }
    }

    /// Runs a blocking task loop on a dedicated thread, never on Swift's
    /// cooperative pool.
    private static func runOnThread(_ task: StreamTask) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
                let thread = Thread {
                    do { try task.run(); c.resume() } catch { c.resume(throwing: error) }
                }
                thread.name = "weir-task-\(task.slot)"
                thread.start()
            }
        } onCancel: {
            task.requestStop()
        }
    }
}

/// The job gave up: its restart strategy allows no more restarts.
public struct JobFailed: Error, CustomStringConvertible {
    public var job: String
    public var cause: Error
    public var description: String { "job \(job) failed: \(cause)" }
}
