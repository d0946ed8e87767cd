import Foundation
import Hummingbird
import WeirEngine
import WeirJobs
import WeirKafka
import WeirPipelines

/// The read side of Weir's Flink-shaped REST API (docs/rest-api.md): what the
/// job manager knows, answered from this instance. Handlers read per-batch
/// counters only; nothing here touches records.
enum RESTRoutes {
    static let version = "0.5.0"

    static func router(_ manager: JobManager, info: ServerInfo, auth: RESTAuth? = nil, history: JobHistory? = nil) -> Router<BasicRequestContext> {
        let r = Router()
        r.add(middleware: JSONErrorMiddleware())
        if let auth { r.add(middleware: BearerTokenMiddleware(token: Array(auth.token.utf8), protectReads: auth.protectReads)) }
        let exporter = PrometheusExporter()
        r.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: exporter.scrape(manager))))
        }
        r.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        r.get("/overview") { _, _ in overview(manager) }
        r.get("/config") { _, _ in config(info) }
        r.get("/jobs") { _, _ in JobsList(jobs: manager.all.map { .init(id: $0.id.hex, status: $0.status.rawValue) }) }
        r.get("/jobs/overview") { _, _ in
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            return JobsOverview(jobs: manager.all.map { jobOverview($0, nowMs: now) }, now: now)
        }
        r.get("/jobs/:jobid") { _, context in try detail(try job(manager, context)) }
        addMutations(r, manager, info)
        r.post("/jobs/validate") { request, _ in try await validate(request) }
        r.get("/jobs/:jobid/plan") { _, context in plan(try job(manager, context)) }
        r.get("/jobs/:jobid/exceptions") { _, context in exceptions(try job(manager, context)) }
        r.get("/jobs/:jobid/checkpoints") { _, context in checkpoints(try job(manager, context)) }
        addJobState(r, manager)
        UIRoutes.add(to: r)
        // For the web UI: the pipeline's text (secrets masked) and the last 15 minutes.
        r.get("/jobs/:jobid/pipeline") { _, context -> PipelineAnswer in
            let j = try job(manager, context)
            return PipelineAnswer(jid: j.id.hex, name: j.name, origin: j.definition.origin, pipeline: PipelineText.masked(j.definition.pipeline))
        }
        r.get("/jobs/:jobid/history") { _, context -> HistoryAnswer in
            let j = try job(manager, context)
            let samples = history?.samples(job: j.id.hex) ?? []
            return HistoryAnswer(intervalMs: JobHistory.intervalMs, samples: samples.map {
                .init(t: $0.t, recordsIn: $0.recordsIn, recordsOut: $0.recordsOut, lagRecords: $0.lagRecords,
                      lagSeconds: $0.lagSeconds, watermarkLagSeconds: $0.watermarkLagSeconds)
            })
        }
        r.get("/jobs/:jobid/metrics") { request, context in
            try metrics(try job(manager, context), request.uri.queryParameters.get("get"))
        }
        r.get("/healthz") { _, _ in Health(status: "ok") }
        r.get("/readyz") { _, _ -> Response in
            guard manager.isCaughtUp else { throw HTTPError(.serviceUnavailable, message: "not ready: reading the jobs topic") }
            let running = manager.all.filter { $0.status == .running || $0.status == .restarting }
            guard running.allSatisfy(\.isReady) else {
                throw HTTPError(.serviceUnavailable, message: "not ready: \(running.filter { !$0.isReady }.map(\.name).joined(separator: ", ")) restoring or joining")
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ready"}"#)))
        }
        MethodNotAllowed.register(on: r, [
            "/openapi.json": [.get], "/metrics": [.get], "/overview": [.get], "/config": [.get], "/jobs": [.get, .post],
            "/jobs/overview": [.get], "/jobs/validate": [.post], "/jobs/:jobid": [.get, .patch], "/jobs/:jobid/plan": [.get],
            "/jobs/:jobid/exceptions": [.get], "/jobs/:jobid/checkpoints": [.get, .post], "/jobs/:jobid/checkpoints/config": [.get],
            "/jobs/:jobid/metrics": [.get], "/jobs/:jobid/stop": [.post], "/jobs/:jobid/savepoints": [.post],
            "/jobs/:jobid/savepoints/:triggerid": [.get], "/healthz": [.get], "/readyz": [.get],
            "/jobs/:jobid/lag": [.get], "/jobs/:jobid/watermarks": [.get], "/jobs/:jobid/dead-letters": [.get], "/jobs/:jobid/state": [.get],
            "/jobs/:jobid/pipeline": [.get], "/jobs/:jobid/history": [.get], "/": [.get],
        ])
        return r
    }

    static func job(_ manager: JobManager, _ context: BasicRequestContext) throws -> ManagedJob {
        let id = context.parameters.get("jobid") ?? ""
        guard let job = manager.job(id) else { throw HTTPError(.notFound, message: "Job \(id) not found") }
        return job
    }

    static func times(_ job: ManagedJob) -> (start: Int64, end: Int64, duration: Int64, lastModified: Int64) {
        let l = job.lifecycleSnapshot
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let start = l.startMs ?? -1
        let end = l.endMs ?? -1
        let duration = start < 0 ? 0 : (end >= 0 ? end : now) - start
        return (start, end, duration, l.enteredMs[l.status] ?? start)
    }

    static func tasks(_ job: ManagedJob) -> (running: Int, total: Int) {
        let slots = job.jobs.inOrder.flatMap(\.slotMetrics)
        let running = job.status == .running ? slots.filter { $0.assignedNanos.load(ordering: .relaxed) > 0 }.count : 0
        return (running, slots.count)
    }

    static func jobOverview(_ job: ManagedJob, nowMs: Int64) -> JobOverview {
        let t = times(job), k = tasks(job)
        let parts = partitions(job).map(\.status)
        let lag = parts.compactMap(\.lagRecords)
        let lastCheckpoint = job.jobs.main.slotMetrics.flatMap(\.recentCheckpoints).filter { $0.status == .completed }.map(\.endMs).max()
        let figures = JobOverview.Figures(
            readRecords: job.jobs.inOrder.first?.metrics.processed ?? 0, writeRecords: job.jobs.inOrder.last?.metrics.emitted ?? 0,
            numRestarts: job.restarts, lagRecords: lag.isEmpty ? nil : lag.reduce(0, +),
            lagSeconds: parts.compactMap { $0.lagSeconds(nowMs: nowMs) }.max(), lastCheckpoint: lastCheckpoint)
        return JobOverview(jid: job.id.hex, name: job.name, state: job.status.rawValue, startTime: t.start, endTime: t.end,
                           duration: t.duration, lastModification: t.lastModified, tasks: .init(running: k.running, total: k.total),
                           figures: figures)
    }

    static func detail(_ job: ManagedJob) -> JobDetail {
        let t = times(job)
        let vertices = job.jobs.inOrder.map { j -> JobDetail.Vertex in
            let m = j.metrics
            func sum(_ f: (TaskMetrics) -> Int) -> Int { j.slotMetrics.reduce(0) { $0 + f($1) } }
            func ms(_ f: (TaskMetrics) -> UInt64) -> Int64 { Int64(j.slotMetrics.reduce(0) { $0 + f($1) } / 1_000_000) }
            return .init(id: JobID(name: j.spec.name).hex, name: j.spec.name, parallelism: j.slotMetrics.count,
                         status: job.status.rawValue, metrics: .init(
                            readRecords: m.processed, writeRecords: m.emitted,
                            readBytes: sum { $0.bytesIn.load(ordering: .relaxed) }, writeBytes: sum { $0.bytesOut.load(ordering: .relaxed) },
                            accumulatedBusyTime: ms { $0.busyNanos.load(ordering: .relaxed) },
                            accumulatedBackpressuredTime: ms { $0.backPressuredNanos.load(ordering: .relaxed) }))
        }
        return JobDetail(jid: job.id.hex, name: job.name, state: job.status.rawValue, startTime: t.start, endTime: t.end,
                         duration: t.duration, now: Int64(Date().timeIntervalSince1970 * 1000), numRestarts: job.restarts,
                         vertices: vertices)
    }

    /// When this process started serving (the first use of the routes' module).
    static let processStartMs = Int64(Date().timeIntervalSince1970 * 1000)

    static func overview(_ manager: JobManager) -> Overview {
        let jobs = manager.all
        func count(_ s: JobStatus) -> Int { jobs.filter { $0.status == s }.count }
        let instances = manager.instances().map {
            Overview.Instance(id: $0.instance, startTime: $0.startedMs, lastHeartbeat: $0.heartbeatMs, version: $0.version)
        }
        return Overview(taskmanagers: instances.count, slotsTotal: jobs.flatMap { $0.jobs.inOrder.flatMap(\.slotMetrics) }.count,
                        jobsRunning: count(.running) + count(.restarting) + count(.failing) + count(.created),
                        jobsFinished: count(.finished), jobsCancelled: count(.canceled), jobsFailed: count(.failed),
                        weirVersion: version, librdkafkaVersion: KafkaVersion.string, startTime: processStartMs,
                        instances: instances, instance: manager.instanceID)
    }
}

extension RESTRoutes {
    static func config(_ info: ServerInfo) -> ConfigAnswer {
        ConfigAnswer(refreshInterval: 3000, weirVersion: version, librdkafkaVersion: KafkaVersion.string,
                     instanceID: info.instanceID,
                     kafka: .init(bootstrapServers: info.bootstrapServers, properties: info.maskedProperties),
                     schemaRegistry: info.schemaRegistryURL.map(ServerInfo.withoutUserInfo))
    }

    /// One node per stage; a repartitioned pipeline's second stage reads the first through a HASH edge.
    static func plan(_ job: ManagedJob) -> PlanAnswer {
        var nodes: [PlanAnswer.Node] = []
        for (i, j) in job.jobs.inOrder.enumerated() {
            let id = JobID(name: j.spec.name).hex
            let inputs = i == 0 ? [] : [PlanAnswer.Input(num: 0, id: nodes[i - 1].id, shipStrategy: "HASH")]
            let kind = j.spec.stateful == nil ? (i == 0 && job.jobs.feeder != nil ? "Repartition" : "Stateless") : "Keyed"
            nodes.append(.init(id: id, parallelism: j.slotMetrics.count, operator_: kind,
                               description: JobDescription.flow(j.spec), inputs: inputs))
        }
        return PlanAnswer(plan: .init(jid: job.id.hex, name: job.name, type: "STREAMING", nodes: nodes))
    }

    static func exceptions(_ job: ManagedJob) -> ExceptionsAnswer {
        var entries = job.jobs.inOrder.flatMap { j in
            j.failures.map { ExceptionsAnswer.Entry(exceptionName: $0.name, stacktrace: $0.causeChain, timestamp: $0.timestampMs,
                                                    taskName: "\(j.spec.name) (slot \($0.slot))") }
        }
        entries.sort { $0.timestamp > $1.timestamp }   // newest first, as Flink
        return ExceptionsAnswer(exceptionHistory: .init(entries: entries, truncated: false))
    }

    static func checkpoints(_ job: ManagedJob) -> CheckpointsAnswer {
        let slots = job.jobs.main.slotMetrics
        let completed = slots.reduce(0) { $0 + $1.commits.load(ordering: .relaxed) }
        let failed = slots.reduce(0) { $0 + $1.aborts.load(ordering: .relaxed) }
        let restored = slots.reduce(0) { $0 + $1.restores.load(ordering: .relaxed) }
        func stats(_ samples: [Double]) -> CheckpointsAnswer.Stats? {
            let sorted = samples.sorted()
            guard !sorted.isEmpty else { return nil }
            func q(_ p: Double) -> Int64 { Int64(sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))].rounded()) }
            return .init(min: Int64(sorted[0].rounded()), max: Int64(sorted[sorted.count - 1].rounded()),
                         avg: Int64((sorted.reduce(0, +) / Double(sorted.count)).rounded()), p50: q(0.5), p99: q(0.99))
        }
        let durations = stats(slots.flatMap { $0.checkpointDurations.samplesMs })
        let sizes = stats(slots.flatMap { $0.checkpointBytes.samples(after: 0).values.map(Double.init) })
        let name = job.jobs.main.spec.name
        let entries = slots.enumerated().flatMap { slot, m in
            m.recentCheckpoints.map { c in
                CheckpointsAnswer.Entry(id: c.id, status: c.status.rawValue, isSavepoint: c.isSavepoint, triggerTimestamp: c.triggerMs,
                                        latestAckTimestamp: c.endMs, stateSize: c.stateBytes, endToEndDuration: c.endMs - c.triggerMs,
                                        numSubtasks: 1, numAcknowledgedSubtasks: c.status == .completed ? 1 : 0,
                                        task: "\(name) (slot \(slot))", partitions: c.partitions,
                                        pause: c.pauseMs.map { ($0 * 1000).rounded() / 1000 })
            }
        }.sorted { $0.latestAckTimestamp > $1.latestAckTimestamp }
        let definition = job.definition
        let restoredFrom: CheckpointsAnswer.Restored? =
            definition.savepointPath != nil ? .init(restoreTimestamp: job.lifecycleSnapshot.startMs, isSavepoint: true, externalPath: definition.savepointPath)
            : restored > 0 ? .init(restoreTimestamp: nil, isSavepoint: false, externalPath: "kafka:\(name)-state") : nil
        return CheckpointsAnswer(
            counts: .init(restored: restored, total: completed + failed, inProgress: 0, completed: completed, failed: failed),
            summary: .init(endToEndDuration: durations, stateSize: sizes),
            latest: .init(completed: entries.first { $0.status == "COMPLETED" }, failed: entries.first { $0.status == "FAILED" },
                          restored: restoredFrom, savepoint: nil),
            history: Array(entries.prefix(10)))
    }

    /// A pattern counter summed over every task of the job.
    static func patternSum(_ job: ManagedJob, _ counter: (TaskMetrics) -> Int) -> Int {
        job.jobs.inOrder.reduce(0) { acc, stage in acc + stage.slotMetrics.reduce(0) { $0 + counter($1) } }
    }

    /// Flink's job metrics by name; `get` absent lists the names (as Flink does).
    static func metrics(_ job: ManagedJob, _ get: String?) throws -> MetricsAnswer {
        let main = job.jobs.main.metrics
        let available: [String: () -> String] = [
            "numRestarts": { "\(job.restarts)" },
            "numberOfCompletedCheckpoints": { "\(job.jobs.main.slotMetrics.reduce(0) { $0 + $1.commits.load(ordering: .relaxed) })" },
            "numberOfFailedCheckpoints": { "\(main.aborts)" },
            "numRecordsIn": { "\(job.jobs.inOrder[0].metrics.processed)" },
            "numRecordsOut": { "\(main.emitted)" },
            "numLateRecordsDropped": { "\(main.late)" },
            "numRecordsDeadLettered": { "\(job.jobs.inOrder.reduce(0) { $0 + $1.metrics.deadLettered })" },
            "numBytesIn": { "\(job.jobs.inOrder[0].slotMetrics.reduce(0) { $0 + $1.bytesIn.load(ordering: .relaxed) })" },
            "numBytesOut": { "\(job.jobs.main.slotMetrics.reduce(0) { $0 + $1.bytesOut.load(ordering: .relaxed) })" },
            "records-lag-max": { "\(partitions(job).compactMap(\.status.lagRecords).max() ?? 0)" },
            "currentInputWatermark": { "\(partitions(job).compactMap(\.status.watermarkMs).min() ?? Int64.min)" },
            // a pattern step's (docs/metrics.md, "Pattern steps"); 0 for other jobs
            "patternPartialMatches": { "\(patternSum(job) { $0.patternPartialMatches.load(ordering: .relaxed) })" },
            "patternPartialMatchesDropped": { "\(patternSum(job) { $0.patternDroppedPartialMatches.load(ordering: .relaxed) })" },
            "patternMatches": { "\(patternSum(job) { $0.patternMatches.load(ordering: .relaxed) })" },
            "patternTimedOut": { "\(patternSum(job) { $0.patternTimedOut.load(ordering: .relaxed) })" },
            "patternLateRecords": { "\(patternSum(job) { $0.patternLateRecords.load(ordering: .relaxed) })" },
        ]
        guard let get else { return MetricsAnswer(values: available.keys.sorted().map { MetricValue(id: $0, value: nil) }) }
        let names = get.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard names.count <= 64 else { throw HTTPError(.badRequest, message: "at most 64 metrics per request") }
        // Unknown names are left out, as Flink does.
        return MetricsAnswer(values: names.compactMap { n in available[n].map { MetricValue(id: n, value: $0()) } })
    }
}

extension RESTRoutes {
    /// Request bodies beyond this are refused with 413 (a pipeline file is a few KiB).
    static let maxBodyBytes = 1 << 20

    /// The body as text: at most `maxBodyBytes` (413 beyond), UTF-8 (400 otherwise).
    static func text(of request: Request) async throws -> String {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maxBodyBytes) } catch {
            throw HTTPError(.contentTooLarge, message: "the body is over \(maxBodyBytes) bytes")
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw HTTPError(.badRequest, message: "the body is not UTF-8 text")
        }
        return text
    }

    static func diagnosticItems(_ d: [Diagnostic]) -> [ValidationAnswer.Item] {
        d.map { .init(severity: $0.severity.rawValue, line: $0.line, column: $0.column, field: $0.field, message: $0.message, text: $0.description) }
    }

    /// Checks a pipeline (YAML body) as `weir validate` does; 200 either way, with its diagnostics.
    static func validate(_ request: Request) async throws -> ValidationAnswer {
        let yaml = try await text(of: request)
        let file = "pipeline.yaml"
        do {
            let p = try PipelineLoader.load(yaml: yaml, file: file)
            return ValidationAnswer(valid: true, name: p.definition.name.value, diagnostics: diagnosticItems(p.warnings + p.notes))
        } catch {
            return ValidationAnswer(valid: false, name: nil, diagnostics: diagnosticItems(error.diagnostics))
        }
    }
}
