import Foundation
import Prometheus
import Synchronization
import WeirEngine
import WeirJobs
import WeirKafka

/// `GET /metrics`: the jobs' per-batch task counters in Prometheus' text format,
/// through swift-prometheus' registry (docs/metrics.md lists every metric).
///
/// The tasks never touch it: at each scrape the counters are read (atomics the
/// task loop updates once per batch) and the registry's series are brought up to
/// them — counters by the difference since the last scrape, so they stay
/// monotonic, gauges set. Scrapes take a lock (they are rare); records never do.
final class PrometheusExporter: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let counters = Mutex<[String: (counter: Counter, last: Int64)]>([:])
    private let startedAt = Date()

    init() {
        registry.makeGauge(name: "weir_build_info", labels: [("version", RESTRoutes.version), ("librdkafka_version", KafkaVersion.string)],
                           help: "Always 1; the labels say which Weir and librdkafka run").set(1.0)
    }

    /// What a scrape answers.
    func scrape(_ manager: JobManager) -> [UInt8] {
        counters.withLock { known in
            registry.makeGauge(name: "weir_uptime_seconds", help: "Seconds since this instance started")
                .set(Date().timeIntervalSince(startedAt))
            for job in manager.all {
                registry.makeGauge(name: "weir_job_running", labels: [("job", job.name)],
                                   help: "1 while the job is RUNNING, else 0").set(job.status == .running ? 1.0 : 0.0)
                add(&known, "weir_job_restarts_total", [("job", job.name)], "Tasks replaced by the restart strategy (Flink: numRestarts)", job.restarts)
                for stage in job.jobs.inOrder {
                    for (slot, m) in stage.slotMetrics.enumerated() {
                        let labels = [("job", job.name), ("stage", stage.spec.name), ("task", "\(slot)")]
                        add(&known, "weir_records_in_total", labels, "Input records handled (Flink: numRecordsIn)", m.handled.load(ordering: .relaxed))
                        add(&known, "weir_records_out_total", labels, "Records written: results, updates, stateless output (Flink: numRecordsOut)", m.emitted.load(ordering: .relaxed))
                        add(&known, "weir_records_filtered_total", labels, "Input records a filter dropped", m.filtered.load(ordering: .relaxed))
                        add(&known, "weir_records_dead_lettered_total", labels, "Records sent to the dead-letter topic", m.deadLettered.load(ordering: .relaxed))
                        add(&known, "weir_records_late_total", labels, "Records too late for every window (Flink: numLateRecordsDropped)", m.late.load(ordering: .relaxed))
                        add(&known, "weir_checkpoints_completed_total", labels, "Checkpoints committed (Flink: numberOfCompletedCheckpoints)", m.commits.load(ordering: .relaxed))
                        add(&known, "weir_checkpoints_failed_total", labels, "Checkpoint transactions aborted (Flink: numberOfFailedCheckpoints)", m.aborts.load(ordering: .relaxed))
                        add(&known, "weir_restores_total", labels, "Assignments that restored partitions from a checkpoint or savepoint", m.restores.load(ordering: .relaxed))
                    }
                }
            }
        }
        return registry.emitToBuffer()
    }

    private func add(_ known: inout [String: (counter: Counter, last: Int64)], _ name: String, _ labels: [(String, String)],
                     _ help: String, _ value: Int) {
        let key = name + labels.map { "|\($0.0)=\($0.1)" }.joined()
        let entry = known[key] ?? (registry.makeCounter(name: name, labels: labels, help: help), 0)
        let now = Int64(value)
        if now > entry.last { entry.counter.increment(by: now - entry.last) }
        known[key] = (entry.counter, max(now, entry.last))
    }
}
