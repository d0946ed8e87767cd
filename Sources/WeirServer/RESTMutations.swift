import Foundation
import Hummingbird
import WeirEngine
import WeirJobs
import WeirPipelines

/// The write side of the REST API: submit, cancel, stop, savepoints, a
/// checkpoint now. Every change goes through the job manager into the jobs
/// topic, so it reaches every instance of the service group.
extension RESTRoutes {
    static func addMutations(_ r: Router<BasicRequestContext>, _ manager: JobManager, _ info: ServerInfo) {
        r.post("/jobs") { request, _ in try await submit(request, manager, info) }
        r.patch("/jobs/:jobid") { request, context -> Response in
            let j = try job(manager, context)
            let mode = request.uri.queryParameters.get("mode") ?? "cancel"
            guard mode == "cancel" else { throw HTTPError(.badRequest, message: "mode must be cancel, not \(mode)") }
            try await answer { try await manager.cancel(j) }
            return Response(status: .accepted, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        r.post("/jobs/:jobid/stop") { request, context -> Response in
            let j = try job(manager, context)
            let b = try await body(request, empty: StopBody())
            let target = b.targetDirectory
            let drain = b.drain ?? false
            let id = try await trigger(j, target: target, info) { dir in try await manager.stop(j, directory: dir, drain: drain) }
            return try accepted(TriggerAnswer(requestID: id))
        }
        r.post("/jobs/:jobid/savepoints") { request, context -> Response in
            let j = try job(manager, context)
            let b = try await body(request, empty: SavepointBody())
            let target = b.targetDirectory
            let cancelJob = b.cancelJob ?? false
            let id = try await trigger(j, target: target, info) { dir in
                cancelJob ? try await manager.stop(j, directory: dir, drain: false, cancel: true)
                          : try await manager.savepoint(j, directory: dir)
            }
            return try accepted(TriggerAnswer(requestID: id))
        }
        r.get("/jobs/:jobid/savepoints/:triggerid") { _, context -> OperationAnswer in
            let j = try job(manager, context)
            let trigger = context.parameters.get("triggerid") ?? ""
            guard let status = manager.savepointStatus(job: j, requestID: trigger) else {
                throw HTTPError(.notFound, message: "no savepoint \(trigger) of job \(j.name)")
            }
            switch status {
            case .inProgress: return OperationAnswer(status: .init(id: "IN_PROGRESS"), operation: nil)
            case .completed(let location): return OperationAnswer(status: .init(id: "COMPLETED"), operation: .init(location: location, failureCause: nil))
            case .failed(let cause):
                return OperationAnswer(status: .init(id: "COMPLETED"), operation: .init(
                    location: nil, failureCause: .init(className: "weir.SavepointFailed", stackTrace: cause, serializedThrowable: nil)))
            }
        }
        r.post("/jobs/:jobid/checkpoints") { _, context -> Response in
            let j = try job(manager, context)
            guard j.status == .running else {
                throw HTTPError(.conflict, message: "job \(j.name) is \(j.status.rawValue): a checkpoint needs it RUNNING")
            }
            j.jobs.inOrder.forEach { $0.requestCheckpoint() }
            return try accepted(TriggerAnswer(requestID: UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")))
        }
        r.get("/jobs/:jobid/checkpoints/config") { _, context -> CheckpointConfigAnswer in
            let j = try job(manager, context)
            let spec = j.jobs.main.spec, runtime = j.jobs.main.runtime
            let mode = spec.sink.deliveryGuarantee == .exactlyOnce ? "exactly_once" : "at_least_once"
            return CheckpointConfigAnswer(mode: mode, interval: runtime.checkpointIntervalMs, timeout: runtime.transactionTimeoutMs,
                                          minPause: 0, maxConcurrent: 1,
                                          externalization: .init(enabled: true, deleteOnCancellation: false),
                                          stateBackend: "weir-keyed-state", checkpointStorage: "kafka:\(j.jobs.main.spec.name)-state")
        }
    }

    /// `POST /jobs`: the pipeline YAML as the body; `?parallelism=&savepointPath=`.
    static func submit(_ request: Request, _ manager: JobManager, _ info: ServerInfo) async throws -> Response {
        let yaml = try await text(of: request)
        let query = request.uri.queryParameters
        var parallelism: Int?
        if let p = query.get("parallelism") {
            guard let n = Int(p), (1...64).contains(n) else { throw HTTPError(.badRequest, message: "parallelism must be 1 to 64, not \(p)") }
            parallelism = n
        }
        var savepoint: String?
        if let s = query.get("savepointPath"), !s.isEmpty {
            let dir: String
            do { dir = try info.savepoints.resolve(s) } catch { throw HTTPError(.badRequest, message: error.description) }
            do { _ = try Savepoint.load(directory: dir) } catch { throw HTTPError(.badRequest, message: "savepointPath: \(error)") }
            savepoint = dir
        }
        let pipeline: Pipeline
        do { pipeline = try PipelineLoader().load(yaml: yaml, file: "pipeline.yaml") } catch {
            return try json(.badRequest, SubmitRefused(errors: error.diagnostics.map(\.description), diagnostics: diagnosticItems(error.diagnostics)))
        }
        guard !pipeline.job.readsFiles else {
            throw HTTPError(.badRequest, message: "the pipeline reads files: weir serve runs Kafka pipelines (run it with `weir run`)")
        }
        let definition = JobDefinition(name: pipeline.definition.name.value, pipeline: yaml, origin: "rest", parallelism: parallelism,
                                       savepointPath: savepoint, updatedAt: Int64(Date().timeIntervalSince1970 * 1000))
        let job = try await answer { try await manager.submit(definition) }
        return try json(.ok, SubmitAnswer(jobid: job.id.hex, name: job.name))
    }

    /// Resolves the target directory (refusing one outside the savepoints
    /// root) and names the savepoint's own directory in it.
    static func trigger(_ job: ManagedJob, target: String?, _ info: ServerInfo,
                        _ start: (String) async throws -> String) async throws -> String {
        let dir: String
        do { dir = try info.savepoints.resolve(target) } catch { throw HTTPError(.badRequest, message: error.description) }
        // The request id is only known once written; the directory is named from a fresh id.
        let location = SavepointPaths.location(in: dir, jobID: job.id.hex, requestID: UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))
        return try await answer { try await start(location) }
    }

    /// Runs a job-manager request, mapping its refusals to HTTP statuses.
    static func answer<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as JobManagerError {
            switch error {
            case .notFound(let m): throw HTTPError(.notFound, message: m)
            case .conflict(let m): throw HTTPError(.conflict, message: m)
            case .invalid(let m): throw HTTPError(.badRequest, message: m)
            case .unavailable(let m): throw HTTPError(.serviceUnavailable, message: m)
            }
        }
    }

    static func accepted<T: Encodable>(_ value: T) throws -> Response { try json(.accepted, value) }

    static func json<T: Encodable>(_ status: HTTPResponse.Status, _ value: T) throws -> Response {
        let data = try JSONEncoder().encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A JSON body as `T`; an empty body is `empty`.
    static func body<T: Decodable>(_ request: Request, empty: T) async throws -> T {
        let text = try await text(of: request)
        if text.allSatisfy(\.isWhitespace) { return empty }
        do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
            throw HTTPError(.badRequest, message: "the body is not the JSON object expected: \(JSONProblem(error))")
        }
    }
}

/// `POST /jobs/{id}/stop` (Flink's StopWithSavepointRequestBody).
struct StopBody: Decodable {
    var targetDirectory: String?
    var drain: Bool?
}

/// `POST /jobs/{id}/savepoints` (Flink's SavepointTriggerRequestBody).
struct SavepointBody: Decodable {
    var targetDirectory: String?
    var cancelJob: Bool?
    enum CodingKeys: String, CodingKey { case targetDirectory = "target-directory", cancelJob = "cancel-job" }
}

/// A decoding error in a few words (the field and what was wrong), without Swift's type names.
struct JSONProblem: CustomStringConvertible {
    let error: Error
    init(_ error: Error) { self.error = error }
    var description: String {
        switch error as? DecodingError {
        case .typeMismatch(_, let c), .valueNotFound(_, let c):
            return "\(c.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        case .dataCorrupted: return "not valid JSON"
        case .keyNotFound(let k, _): return "\(k.stringValue) is missing"
        default: return "not valid JSON"
        }
    }
}

struct SubmitRefused: Encodable {
    let errors: [String]
    let diagnostics: [ValidationAnswer.Item]
}
