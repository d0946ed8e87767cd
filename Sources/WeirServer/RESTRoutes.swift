import Foundation
import Hummingbird
import WeirEngine
import WeirJobs
import WeirKafka

/// The read side of Weir's Flink-shaped REST API (docs/rest-api.md): what the
/// job manager knows, answered from this instance. Handlers read per-batch
/// counters only; nothing here touches records.
enum RESTRoutes {
    static let version = "0.5.0"

    static func router(_ manager: JobManager) -> Router<BasicRequestContext> {
        let r = Router()
        r.add(middleware: JSONErrorMiddleware())
        r.get("/overview") { _, _ in overview(manager) }
        r.get("/jobs") { _, _ in JobsList(jobs: manager.all.map { .init(id: $0.id.hex, status: $0.status.rawValue) }) }
        r.get("/jobs/overview") { _, _ in JobsOverview(jobs: manager.all.map(jobOverview)) }
        r.get("/jobs/:jobid") { _, context in try detail(try job(manager, context)) }
        r.get("/healthz") { _, _ in Health(status: "ok") }
        r.get("/readyz") { _, _ -> Response in
            let running = manager.all.filter { $0.status == .running || $0.status == .restarting }
            guard running.allSatisfy(\.isReady) else {
                throw HTTPError(.serviceUnavailable, message: "not ready: \(running.filter { !$0.isReady }.map(\.name).joined(separator: ", ")) restoring or joining")
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ready"}"#)))
        }
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

    static func jobOverview(_ job: ManagedJob) -> JobOverview {
        let t = times(job), k = tasks(job)
        return JobOverview(jid: job.id.hex, name: job.name, state: job.status.rawValue, startTime: t.start, endTime: t.end,
                           duration: t.duration, lastModification: t.lastModified, tasks: .init(running: k.running, total: k.total))
    }

    static func detail(_ job: ManagedJob) -> JobDetail {
        let t = times(job)
        let vertices = job.jobs.inOrder.map { j -> JobDetail.Vertex in
            let m = j.metrics
            return .init(id: JobID(name: j.spec.name).hex, name: j.spec.name, parallelism: j.slotMetrics.count,
                         status: job.status.rawValue, metrics: .init(readRecords: m.processed, writeRecords: m.emitted))
        }
        return JobDetail(jid: job.id.hex, name: job.name, state: job.status.rawValue, startTime: t.start, endTime: t.end,
                         duration: t.duration, now: Int64(Date().timeIntervalSince1970 * 1000), numRestarts: job.restarts,
                         vertices: vertices)
    }

    static func overview(_ manager: JobManager) -> Overview {
        let jobs = manager.all
        func count(_ s: JobStatus) -> Int { jobs.filter { $0.status == s }.count }
        return Overview(taskmanagers: 1, slotsTotal: jobs.flatMap { $0.jobs.inOrder.flatMap(\.slotMetrics) }.count,
                        jobsRunning: count(.running) + count(.restarting) + count(.failing) + count(.created),
                        jobsFinished: count(.finished), jobsCancelled: count(.canceled), jobsFailed: count(.failed),
                        weirVersion: version, librdkafkaVersion: KafkaVersion.string)
    }
}
