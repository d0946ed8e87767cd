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
        var last = -1
        var since = monotonicNanos()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .milliseconds(50))
            // Idle time counts from the first assignment (the group join is not idleness)
            // and from the end of the latest restore (restoring is not idleness either).
            let m = job.slotMetrics
            let assignedAt = m.map { $0.assignedNanos.load(ordering: .relaxed) }.filter { $0 > 0 }.min()
            guard let assignedAt else { continue }
            if m.contains(where: { $0.restoring.load(ordering: .relaxed) }) { since = monotonicNanos(); continue }
            let restoredAt = m.map { $0.restoredNanos.load(ordering: .relaxed) }.max() ?? 0
            let n = job.metrics.processed
            if n != last { last = n; since = monotonicNanos(); continue }
            since = max(since, restoredAt)
            if monotonicNanos() - max(since, assignedAt) >= UInt64(idleMs) * 1_000_000 { return true }
        }
        return false
    }
}
