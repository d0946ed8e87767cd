import Foundation
import Logging
import Synchronization
import WeirEngine

/// One job under the job manager: a pipeline's running jobs, its id, name and
/// definition, and its Flink-style status (`JobLifecycle`), which the REST API
/// reads. A failing job ends in FAILED with its cause kept; it never ends the others.
public final class ManagedJob: Sendable {
    public let id: JobID
    public let name: String
    public let jobs: PipelineJobs
    private let stored: Mutex<JobDefinition>
    private let lifecycle: Mutex<JobLifecycle>
    private let cancelRequested = Atomic<Bool>(false)
    private let endedFlag = Atomic<Bool>(false)
    private let logger: Logger

    public init(definition: JobDefinition, jobs: PipelineJobs, logger: Logger) {
        self.id = JobID(name: definition.name)
        self.name = definition.name
        self.jobs = jobs
        self.logger = logger
        stored = Mutex(definition)
        lifecycle = Mutex(JobLifecycle(nowMs: Self.nowMs()))
        for job in jobs.inOrder { job.onTaskEvent { [weak self] e in self?.taskEvent(e) } }
    }

    /// A task failed and its restart strategy restarts it: FAILING, RESTARTING, then
    /// RUNNING again once it is replaced (Flink's moves; a strategy that gives up
    /// fails the job, which `run` records).
    func taskEvent(_ e: Job.TaskEvent) {
        switch e {
        case .failedWillRestart:
            move(.taskFailed(restartAllowed: true))
            move(.restarting)
        case .restarted:
            lifecycle.withLock { l in if l.status == .restarting { _ = try? l.apply(.started, nowMs: Self.nowMs()) } }
        }
    }

    public var definition: JobDefinition { stored.withLock { $0 } }
    func update(_ definition: JobDefinition) { stored.withLock { $0 = definition } }

    public var status: JobStatus { lifecycle.withLock { $0.status } }
    public var lifecycleSnapshot: JobLifecycle { lifecycle.withLock { $0 } }

    /// Task replacements by the restart strategy, over the pipeline's jobs (Flink's `numRestarts`).
    public var restarts: Int { jobs.inOrder.reduce(0) { $0 + $1.restarts.load(ordering: .relaxed) } }

    /// Every task has joined its group and restored its partitions (readiness).
    public var isReady: Bool {
        jobs.inOrder.allSatisfy { job in
            job.slotMetrics.allSatisfy { $0.assignedNanos.load(ordering: .relaxed) > 0 && !$0.restoring.load(ordering: .relaxed) }
        }
    }

    /// `run` has returned (or the job was never run here).
    public var hasEnded: Bool { endedFlag.load(ordering: .acquiring) }

    /// Runs the pipeline's jobs until they end; records how they ended. A job
    /// replacing another (its definition changed) starts once that one ended.
    func run(after previous: ManagedJob? = nil) async {
        defer { endedFlag.store(true, ordering: .releasing) }
        if let previous {
            while !previous.hasEnded { try? await Task.sleep(for: .milliseconds(50)) }
        }
        if cancelRequested.load(ordering: .acquiring) { move(.cancelled); return }
        move(.started)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for job in jobs.inOrder { group.addTask { try await job.run() } }
                try await group.waitForAll()
            }
            // Ended on its own (a drained bounded run), by a stop or by a cancel; a graceful
            // shutdown of the process ends it too, and as it will not be resumed here, it is FINISHED here.
            if cancelRequested.load(ordering: .acquiring) { move(.cancelled) } else { move(.finished) }
        } catch {
            logger.error("job failed", metadata: ["job": "\(name)", "id": "\(id)", "cause": "\(error)"])
            for job in jobs.inOrder { job.stop() }
            if cancelRequested.load(ordering: .acquiring) { move(.cancelled) } else { move(.taskFailed(restartAllowed: false)) }
        }
    }

    /// RUNNING without running its tasks (tests of the state moves).
    func markStartedForTest() { move(.started) }

    /// Marks a job that will not run here (read from the jobs topic as stopped or cancelled).
    func markNotRunning(_ state: JobDefinition.DesiredState) {
        if state == .cancelled {
            move(.cancelRequested); move(.cancelled)
        } else {
            move(.started); move(.finished)
        }
        endedFlag.store(true, ordering: .releasing)
    }

    /// Cancels the job: every task stops after its batch (no final flush of windows).
    public func cancel() throws(JobLifecycle.RefusedTransition) {
        try lifecycle.withLock { l throws(JobLifecycle.RefusedTransition) in try l.apply(.cancelRequested, nowMs: Self.nowMs()) }
        cancelRequested.store(true, ordering: .releasing)
        for job in jobs.inOrder { job.stop() }
    }

    /// Stops the job with a savepoint (Flink's stop-with-savepoint): the first
    /// stage stops, then the job writing the sink, whose last checkpoint goes to
    /// `savepoint`. `drain` fires every open window first; `cancel` ends it
    /// CANCELED (Flink's deprecated cancel-with-savepoint) instead of FINISHED.
    public func stop(savepoint: SavepointCollector, drain: Bool, cancel: Bool) throws(JobLifecycle.RefusedTransition) {
        guard !status.isTerminal, status != .cancelling else {
            throw JobLifecycle.RefusedTransition(from: status, event: .cancelRequested)
        }
        if cancel {
            try lifecycle.withLock { l throws(JobLifecycle.RefusedTransition) in try l.apply(.cancelRequested, nowMs: Self.nowMs()) }
            cancelRequested.store(true, ordering: .releasing)
        }
        jobs.feeder?.stop(flush: drain)
        jobs.main.stop(flush: drain, savepoint: savepoint)
    }

    private func move(_ event: JobLifecycle.Event) {
        lifecycle.withLock { l in _ = try? l.apply(event, nowMs: Self.nowMs()) }
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
