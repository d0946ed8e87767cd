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
/// task loop updates once per batch, partition tables it publishes once a
/// second) and the registry's series are brought up to them — counters by the
/// difference since the last scrape, so they stay monotonic; gauges set, and
/// dropped when their partition has moved to another instance; histograms fed
/// the checkpoint samples recorded since. Scrapes take a lock (they are rare);
/// records never do.
final class PrometheusExporter: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let state = Mutex(State())
    private let startedAt = Date()

    struct State {
        /// Each task's counters, made once (a scrape only compares and increments).
        var tasks: [ObjectIdentifier: [(counter: Counter, last: Double)]] = [:]
        var counters: [String: (counter: Counter, last: Double)] = [:]
        var gauges: [String: Gauge] = [:]
        var histograms: [String: (histogram: ValueHistogram, seen: Int)] = [:]
    }

    /// Seconds: checkpoint durations and pauses.
    static let secondsBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// Bytes: checkpoint sizes.
    static let bytesBuckets: [Double] = [1_024, 16_384, 131_072, 1_048_576, 8_388_608, 67_108_864, 268_435_456, 1_073_741_824]

    init() {
        registry.makeGauge(name: "weir_build_info", labels: [("version", RESTRoutes.version), ("librdkafka_version", KafkaVersion.string)],
                           help: "Always 1; the labels say which Weir and librdkafka run").set(1.0)
    }

    /// What a scrape answers.
    func scrape(_ manager: JobManager) -> [UInt8] {
        state.withLock { s in
            var live = Set<String>()
            gauge(&s, &live, "weir_uptime_seconds", [], "Seconds since this instance started", Date().timeIntervalSince(startedAt))
            let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
            for job in manager.all {
                let j = [("job", job.name)]
                gauge(&s, &live, "weir_job_running", j, "1 while the job is RUNNING, else 0", job.status == .running ? 1 : 0)
                counter(&s, "weir_job_restarts_total", j, "Tasks replaced by the restart strategy (Flink: numRestarts)", Double(job.restarts))
                for stage in job.jobs.inOrder {
                    let st = j + [("stage", stage.spec.name)]
                    for (slot, m) in stage.slotMetrics.enumerated() {
                        let t = st + [("task", "\(slot)")]
                        counters(&s, t, m)
                        gauge(&s, &live, "weir_state_bytes", t, "Bytes of the task's state: its last committed snapshots (Flink: checkpointedSize)",
                              Double(m.stateBytes.load(ordering: .relaxed)))
                        if stage.spec.stateful != nil {
                            gauge(&s, &live, "weir_state_keys", t, "Keys with state in the task (windows or a running aggregate)",
                                  Double(m.stateKeys.load(ordering: .relaxed)))
                            gauge(&s, &live, "weir_state_windows", t, "Open windows in the task (for a running aggregate: one per key)",
                                  Double(m.stateEntries.load(ordering: .relaxed)))
                        }
                        if m.isPattern.load(ordering: .relaxed) { pattern(&s, &live, t, m) }
                        for p in m.partitions {
                            let tp = j + [("topic", p.topic), ("partition", "\(p.partition)")]
                            if let lag = p.lagRecords {
                                gauge(&s, &live, "weir_consumer_lag_records", tp, "Records of the partition not processed yet (Flink: records-lag-max)", Double(lag))
                            }
                            if let sec = p.lagSeconds(nowMs: nowMs) {
                                gauge(&s, &live, "weir_consumer_lag_seconds", tp, "How far behind the partition is: 0 caught up, else the age of the last record processed", sec)
                            }
                            if let wm = p.watermarkMs {
                                gauge(&s, &live, "weir_watermark_seconds", tp, "The partition's watermark, seconds since the epoch (Flink: currentInputWatermark)", Double(wm) / 1000)
                                gauge(&s, &live, "weir_event_time_lag_seconds", tp, "Now minus the partition's watermark", Double(nowMs - wm) / 1000)
                            }
                        }
                    }
                    let checkpointsOf = stage.slotMetrics
                    histogram(&s, "weir_checkpoint_duration_seconds", st, "From a checkpoint's start until its commit is acknowledged (Flink: checkpoint end_to_end_duration)",
                              Self.secondsBuckets, checkpointsOf.map(\.checkpointDurations), scale: 1e-9)
                    histogram(&s, "weir_checkpoint_pause_seconds", st, "How long each checkpoint kept the task from processing records (Flink: sync duration)",
                              Self.secondsBuckets, checkpointsOf.map(\.checkpointPauses), scale: 1e-9)
                    histogram(&s, "weir_checkpoint_size_bytes", st, "Bytes of state each checkpoint wrote (Flink: checkpointed_size)",
                              Self.bytesBuckets, checkpointsOf.map(\.checkpointBytes), scale: 1)
                }
            }
            // A partition that moved to another instance (or a job that is gone) leaves no stale series.
            for (key, g) in s.gauges where !live.contains(key) {
                registry.unregisterGauge(g)
                s.gauges[key] = nil
            }
        }
        return registry.emitToBuffer()
    }

    /// The counters of one task, in `taskCounters` order.
    static let taskCounters: [(name: String, help: String, value: @Sendable (TaskMetrics) -> Double)] = [
        ("weir_records_in_total", "Input records handled (Flink: numRecordsIn)", { Double($0.handled.load(ordering: .relaxed)) }),
        ("weir_records_out_total", "Records written: results, updates, stateless output (Flink: numRecordsOut)", { Double($0.emitted.load(ordering: .relaxed)) }),
        ("weir_records_filtered_total", "Input records a filter dropped", { Double($0.filtered.load(ordering: .relaxed)) }),
        ("weir_records_dead_lettered_total", "Records sent to the dead-letter topic", { Double($0.deadLettered.load(ordering: .relaxed)) }),
        ("weir_records_late_total", "Records too late for every window (Flink: numLateRecordsDropped)", { Double($0.late.load(ordering: .relaxed)) }),
        ("weir_bytes_in_total", "Bytes of the records read, key and value (Flink: numBytesIn)", { Double($0.bytesIn.load(ordering: .relaxed)) }),
        ("weir_bytes_out_total", "Bytes written to the sink topic, key and value (Flink: numBytesOut)", { Double($0.bytesOut.load(ordering: .relaxed)) }),
        ("weir_checkpoints_completed_total", "Checkpoints committed (Flink: numberOfCompletedCheckpoints)", { Double($0.commits.load(ordering: .relaxed)) }),
        ("weir_checkpoints_failed_total", "Checkpoint transactions aborted (Flink: numberOfFailedCheckpoints)", { Double($0.aborts.load(ordering: .relaxed)) }),
        ("weir_transactions_committed_total", "Kafka transactions committed (one per checkpoint; none at-least-once)", { Double($0.commits.load(ordering: .relaxed)) }),
        ("weir_transactions_aborted_total", "Kafka transactions aborted (a failed checkpoint, a fenced or failed task)", { Double($0.aborts.load(ordering: .relaxed)) }),
        ("weir_restores_total", "Assignments that restored partitions from a checkpoint or savepoint", { Double($0.restores.load(ordering: .relaxed)) }),
        ("weir_busy_seconds_total", "Time spent on batches with records (Flink: accumulated-busy-time, in s)",
         { Double($0.busyNanos.load(ordering: .relaxed)) / 1e9 }),
        ("weir_backpressured_seconds_total", "Time spent waiting for the previous checkpoint's commit (Flink: accumulated-backpressured-time, in s)",
         { Double($0.backPressuredNanos.load(ordering: .relaxed)) / 1e9 }),
    ]

    private func counters(_ s: inout State, _ t: [(String, String)], _ m: TaskMetrics) {
        let id = ObjectIdentifier(m)
        var series = s.tasks[id] ?? Self.taskCounters.map { (registry.makeCounter(name: $0.name, labels: t, help: $0.help), 0) }
        for i in series.indices {
            let v = Self.taskCounters[i].value(m)
            if v > series[i].last { series[i].counter.increment(by: v - series[i].last); series[i].last = v }
        }
        s.tasks[id] = series
    }

    /// A pattern step's task (docs/metrics.md, "Pattern steps").
    private func pattern(_ s: inout State, _ live: inout Set<String>, _ t: [(String, String)], _ m: TaskMetrics) {
        gauge(&s, &live, "weir_pattern_partial_matches", t, "Partial matches alive in the task's pattern state",
              Double(m.patternPartialMatches.load(ordering: .relaxed)))
        counter(&s, "weir_pattern_partial_matches_dropped_total", t, "Partial matches dropped by the per-key cap (maxPartialMatchesPerKey)",
                Double(m.patternDroppedPartialMatches.load(ordering: .relaxed)))
        counter(&s, "weir_pattern_matches_total", t, "Pattern matches emitted",
                Double(m.patternMatches.load(ordering: .relaxed)))
        counter(&s, "weir_pattern_timed_out_total", t, "Partial matches that within timed out (routed, flagged or only counted)",
                Double(m.patternTimedOut.load(ordering: .relaxed)))
        counter(&s, "weir_pattern_late_records_total", t, "Records behind the watermark, not matched (sent to late data)",
                Double(m.patternLateRecords.load(ordering: .relaxed)))
    }

    private static func key(_ name: String, _ labels: [(String, String)]) -> String {
        name + labels.map { "|\($0.0)=\($0.1)" }.joined()
    }

    private func counter(_ s: inout State, _ name: String, _ labels: [(String, String)], _ help: String, _ value: Double) {
        let key = Self.key(name, labels)
        let entry = s.counters[key] ?? (registry.makeCounter(name: name, labels: labels, help: help), 0)
        if value > entry.last { entry.counter.increment(by: value - entry.last) }
        s.counters[key] = (entry.counter, max(value, entry.last))
    }

    private func gauge(_ s: inout State, _ live: inout Set<String>, _ name: String, _ labels: [(String, String)], _ help: String, _ value: Double) {
        let key = Self.key(name, labels)
        let g = s.gauges[key] ?? registry.makeGauge(name: name, labels: labels, help: help)
        g.set(value)
        s.gauges[key] = g
        live.insert(key)
    }

    /// Feeds the samples recorded since the last scrape (raw values × `scale`).
    private func histogram(_ s: inout State, _ name: String, _ labels: [(String, String)], _ help: String, _ buckets: [Double],
                           _ sources: [PauseHistogram], scale: Double) {
        for (i, source) in sources.enumerated() {
            let key = Self.key(name, labels) + "#\(i)"
            let entry = s.histograms[key] ?? (registry.makeValueHistogram(name: name, labels: labels, buckets: buckets, help: help), 0)
            let new = source.samples(after: entry.seen)
            for v in new.values { entry.histogram.record(Double(v) * scale) }
            s.histograms[key] = (entry.histogram, new.total)
        }
    }
}
