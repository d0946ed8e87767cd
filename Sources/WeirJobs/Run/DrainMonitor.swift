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
            guard let lastProgress = await waitIdle(job) else { return }
            var metadata: Logger.Metadata = ["job": "\(job.spec.name)", "processed": "\(job.metrics.processed)"]
            // Throughput from the first record to the last (within the 50 ms sampling), for benchmarks.
            if let first = job.firstRecordNanos, lastProgress > first {
                let seconds = Double(lastProgress - first) / 1e9
                metadata["seconds_first_to_last_record"] = "\(String(format: "%.2f", seconds))"
                metadata["records_per_s"] = "\(Int(Double(job.metrics.processed) / seconds))"
            }
            logger.info("input drained", metadata: metadata)
            job.stop(flush: true)
            if i == jobs.count - 1 { return }
            while !job.hasEnded {
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// When records last arrived; nil when the group shuts down first.
    private func waitIdle(_ job: Job) async -> UInt64? {
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
            if ended { return idleness.lastProgressNanos }
        }
        return nil
    }
}
