import Foundation
import Logging
import Synchronization
import WeirEngine

/// One job under the job manager: a pipeline's running jobs, its id and name,
/// and its Flink-style status (`JobLifecycle`), which the REST API reads.
/// A failing job ends in FAILED with its cause kept; it never ends the others.
public final class ManagedJob: Sendable {
    public let id: JobID
    public let name: String
    public let jobs: PipelineJobs
    private let lifecycle: Mutex<JobLifecycle>
    private let cancelRequested = Atomic<Bool>(false)
    private let logger: Logger

    public init(name: String, jobs: PipelineJobs, logger: Logger) {
        self.id = JobID(name: name)
        self.name = name
        self.jobs = jobs
        self.logger = logger
        lifecycle = Mutex(JobLifecycle(nowMs: Self.nowMs()))
    }

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

    /// Runs the pipeline's jobs until they end; records how they ended.
    func run() async {
        move(.started)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for job in jobs.inOrder { group.addTask { try await job.run() } }
                try await group.waitForAll()
            }
            // Ended on its own (a drained bounded run) or by a cancel; a graceful shutdown of the
            // process ends it too, and as it will not be resumed here, it is FINISHED here.
            move(cancelRequested.load(ordering: .acquiring) ? .cancelled : .finished)
        } catch {
            logger.error("job failed", metadata: ["job": "\(name)", "id": "\(id)", "cause": "\(error)"])
            for job in jobs.inOrder { job.stop() }
            if cancelRequested.load(ordering: .acquiring) { move(.cancelled) } else { move(.taskFailed(restartAllowed: false)) }
        }
    }

    /// Cancels the job: every task stops after its batch (no final flush of windows).
    public func cancel() throws(JobLifecycle.RefusedTransition) {
        try lifecycle.withLock { l throws(JobLifecycle.RefusedTransition) in try l.apply(.cancelRequested, nowMs: Self.nowMs()) }
        cancelRequested.store(true, ordering: .releasing)
        for job in jobs.inOrder { job.stop() }
    }

    private func move(_ event: JobLifecycle.Event) {
        lifecycle.withLock { l in _ = try? l.apply(event, nowMs: Self.nowMs()) }
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
