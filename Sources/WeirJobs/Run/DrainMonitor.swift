import Foundation
import Logging
import ServiceLifecycle
import WeirEngine

/// Ends a bounded run: once records have flowed and none arrived for `idleMs`,
/// the input counts as ended (open windows fire) and the group shuts down.
/// The jobs of a repartitioned pipeline are drained in order: the second
/// stage's idle time counts only once the first has committed all it wrote.
public struct DrainMonitor: Service {
    /// In pipeline order.
    let jobs: [Job]
    let idleMs: Int
    let logger: Logger

    public init(jobs: [Job], idleMs: Int, logger: Logger) {
        self.jobs = jobs; self.idleMs = idleMs; self.logger = logger
    }

    public func run() async throws {
        for (i, job) in jobs.enumerated() {
            guard await waitIdle(job) else { return }
            logger.info("input drained", metadata: ["job": "\(job.spec.name)", "processed": "\(job.metrics.processed)"])
            job.stop(flush: true)
            if i == jobs.count - 1 { return }
            while !job.hasEnded {
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// False when the group shuts down first.
    private func waitIdle(_ job: Job) async -> Bool {
        var idleness = DrainIdleness(idleMs: idleMs)
        var warned = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .milliseconds(50))
            let tasks = job.slotMetrics.map {
                DrainIdleness.TaskSample(assignedNanos: $0.assignedNanos.load(ordering: .relaxed),
                                         restoring: $0.restoring.load(ordering: .relaxed),
                                         restoredNanos: $0.restoredNanos.load(ordering: .relaxed),
                                         rebalancing: $0.rebalancing.load(ordering: .relaxed))
            }
            let ended = idleness.observe(now: monotonicNanos(), processed: job.metrics.processed, tasks: tasks)
            if idleness.rebalanceCapped && !warned {
                warned = true
                logger.warning("a rebalance has lasted over \(idleness.rebalanceCapNanos / 1_000_000_000) s; counting idle time again (partitions the rebalance gives this instance later will not be flushed by it)",
                               metadata: ["job": "\(job.spec.name)"])
            }
            if ended { return true }
        }
        return false
    }
}
