import ArgumentParser
import Foundation

/// Where the verbs find the service.
struct ServiceOptions: ParsableArguments {
    @Option(help: "The REST API of a running `weir serve` (default: WEIR_URL, else http://localhost:8081).") var url: String?
    @Option(help: "The API's bearer token (default: WEIR_REST_TOKEN; the variable keeps it out of `ps`).") var token: String?

    var client: RESTClient { RESTClient(url: url, token: token) }
}

/// `weir list [-a]`: the jobs, in Flink's `flink list` layout.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the jobs of a running weir serve.")
    @OptionGroup var service: ServiceOptions
    @Flag(name: [.customShort("a"), .long], help: "Also the jobs that have ended.") var all = false

    func run() async throws {
        let client = service.client
        let json = try await send(client) { try await client.expectOK(.GET, "/jobs/overview") }
        let jobs = ((json as? [String: Any])?["jobs"] as? [[String: Any]]) ?? []
        let ended: Set<String> = ["CANCELED", "FINISHED", "FAILED"]
        let running = jobs.filter { !ended.contains($0["state"] as? String ?? "") }
        print(JobLines.section("Running/Restarting Jobs", running))
        if all { print(JobLines.section("Terminated Jobs", jobs.filter { ended.contains($0["state"] as? String ?? "") })) }
    }
}

/// `weir info JOB`: state, tasks, restarts and checkpoints of one job.
struct InfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show one job of a running weir serve.")
    @OptionGroup var service: ServiceOptions
    @Argument(help: "The job's id or name.") var job: String

    func run() async throws {
        let client = service.client
        let (path, detail) = try await JobLines.lookUp(job, client)
        let checkpoints = try await send(client) { try await client.expectOK(.GET, path + "/checkpoints") } as? [String: Any] ?? [:]
        let counts = checkpoints["counts"] as? [String: Any] ?? [:]
        let e2e = (checkpoints["summary"] as? [String: Any])?["end_to_end_duration"] as? [String: Any]
        print("\(detail["name"] as? String ?? job) (\(detail["jid"] as? String ?? "?")): \(detail["state"] as? String ?? "?")")
        print("  started \(JobLines.time(detail["start-time"])), running for \(JobLines.duration(detail["duration"])), \(detail["num-restarts"] as? Int ?? 0) task restart(s)")
        for v in detail["vertices"] as? [[String: Any]] ?? [] {
            let m = v["metrics"] as? [String: Any] ?? [:]
            print("  \(v["name"] as? String ?? "?"): \(v["parallelism"] as? Int ?? 0) task(s), \(m["read-records"] as? Int ?? 0) records read, \(m["write-records"] as? Int ?? 0) written")
        }
        var line = "  checkpoints: \(counts["completed"] as? Int ?? 0) completed, \(counts["failed"] as? Int ?? 0) failed"
        if let e2e { line += ", duration p50 \(e2e["p50"] as? Int ?? 0) ms, p99 \(e2e["p99"] as? Int ?? 0) ms" }
        if let last = ((checkpoints["latest"] as? [String: Any])?["completed"] as? [String: Any])?["latest_ack_timestamp"] as? Int {
            let age = Int(Date().timeIntervalSince1970 * 1000) - last
            line += ", last \(JobLines.duration(max(0, age))) ago"
        }
        print(line)
        // Lag: this instance's partitions (each instance answers for its own).
        if let lag = try? await client.expectOK(.GET, path + "/lag") as? [String: Any] {
            let parts = (lag["partitions"] as? [[String: Any]])?.count ?? 0
            var l = "  lag (instance \(lag["instance"] as? String ?? "?"), \(parts) partition(s)): \(lag["total-lag-records"] as? Int ?? 0) records"
            if let s = lag["max-lag-seconds"] as? Double { l += String(format: ", %.1f s behind at most", s) }
            print(l)
        }
    }
}

/// `weir cancel JOB`.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a job of a running weir serve.")
    @OptionGroup var service: ServiceOptions
    @Argument(help: "The job's id or name.") var job: String

    func run() async throws {
        let client = service.client
        let (path, detail) = try await JobLines.lookUp(job, client)
        _ = try await send(client) { try await client.expectOK(.PATCH, path + "?mode=cancel") }
        print("Cancelled job \(detail["jid"] as? String ?? job).")
    }
}

/// `weir submit PIPELINE [-p N] [-s SAVEPOINT]`: `POST /jobs`; every instance of the service group runs it.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "submit", abstract: "Submit a pipeline to a running weir serve.")
    @OptionGroup var service: ServiceOptions
    @Argument(help: "The pipeline file (YAML).") var pipeline: String
    @Option(name: [.customShort("p"), .long], help: "Tasks per instance (1…64).") var parallelism: Int?
    @Option(name: [.customShort("s"), .customLong("from-savepoint")],
            help: "Start from this savepoint (a path the service sees, under its savepoints.directory).") var savepoint: String?

    func run() async throws {
        guard let text = try? Data(contentsOf: URL(fileURLWithPath: pipeline)) else {
            printError("weir submit: cannot read \(pipeline)"); throw ExitCode(1)
        }
        var query: [String] = []
        if let parallelism { query.append("parallelism=\(parallelism)") }
        if let savepoint { query.append("savepointPath=" + JobLines.escape(savepoint)) }
        let client = service.client
        let status: Int, json: Any
        do {
            (status, json) = try await client.call(.POST, "/jobs" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")),
                                                   body: text, contentType: "application/yaml")
        } catch {
            printError("weir: \(error)"); throw ExitCode(1)
        }
        let answer = json as? [String: Any] ?? [:]
        guard status == 200, let id = answer["jobid"] as? String else {
            // The service names the body pipeline.yaml: say the user's file instead.
            let errors = (answer["errors"] as? [String] ?? ["HTTP \(status)"]).map { line in
                line.hasPrefix("pipeline.yaml:") ? pipeline + line.dropFirst("pipeline.yaml".count) : line
            }
            printError("weir submit: \(pipeline) was refused:\n" + errors.joined(separator: "\n"))
            throw ExitCode(1)
        }
        print("Job has been submitted with JobID \(id) (\(answer["name"] as? String ?? "")).")
    }
}

/// `weir stop JOB [--savepoint DIR] [--drain]`: stop with a savepoint, as `flink stop`; waits and prints the location.
struct StopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop a job of a running weir serve with a savepoint.")
    @OptionGroup var service: ServiceOptions
    @Argument(help: "The job's id or name.") var job: String
    @Option(name: [.customShort("p"), .customLong("savepoint")],
            help: "Where the savepoint goes: a directory under the service's savepoints.directory (default: that directory).") var directory: String?
    @Flag(name: [.customShort("d"), .long], help: "Fire every open window before the savepoint (the input is treated as ended).") var drain = false
    @Option(help: "Seconds to wait for the savepoint.") var timeout = 180.0

    func run() async throws {
        let client = service.client
        let (path, detail) = try await JobLines.lookUp(job, client)
        var body: [String: Any] = ["drain": drain]
        if let directory { body["targetDirectory"] = directory }
        print("Suspending job \(detail["jid"] as? String ?? job).")
        let trigger = try await send(client) {
            try await client.expectOK(.POST, path + "/stop", body: try JSONSerialization.data(withJSONObject: body))
        } as? [String: Any] ?? [:]
        let location = try await JobLines.awaitSavepoint(path, trigger["request-id"] as? String ?? "", client, timeout: timeout)
        print("Savepoint completed. Path: \(location)")
    }
}

/// A verb's request: a failure is printed (`weir: …`) and exits 1.
private func send(_ client: RESTClient, _ body: () async throws -> Any) async throws -> Any {
    do { return try await body() } catch {
        printError("weir: \(error)")
        throw ExitCode(1)
    }
}

enum JobLines {
    /// Polls `GET {path}/savepoints/{id}` until it completes; the location, or exits 1 with the cause.
    static func awaitSavepoint(_ path: String, _ id: String, _ client: RESTClient, timeout: Double) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let answer = try await send(client) { try await client.expectOK(.GET, path + "/savepoints/" + escape(id)) } as? [String: Any] ?? [:]
            if (answer["status"] as? [String: Any])?["id"] as? String == "COMPLETED" {
                let op = answer["operation"] as? [String: Any] ?? [:]
                if let location = op["location"] as? String { return location }
                let cause = (op["failure-cause"] as? [String: Any])?["stack-trace"] as? String ?? "unknown"
                printError("weir: the savepoint failed: \(cause)")
                throw ExitCode(1)
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        printError("weir: the savepoint did not complete in \(Int(timeout)) s (request \(id))")
        throw ExitCode(1)
    }

    /// A job's path and `GET /jobs/{id}` answer (JOB is an id or a name).
    static func lookUp(_ job: String, _ client: RESTClient) async throws -> (path: String, detail: [String: Any]) {
        let path = "/jobs/" + escape(job)
        let detail = try await send(client) { try await client.expectOK(.GET, path) } as? [String: Any] ?? [:]
        return (path, detail)
    }

    static func section(_ title: String, _ jobs: [[String: Any]]) -> String {
        var lines = ["------------------ \(title) ------------------"]
        if jobs.isEmpty { lines.append("No \(title.lowercased()).") }
        for j in jobs {
            lines.append("\(time(j["start-time"])) : \(j["jid"] as? String ?? "?") : \(j["name"] as? String ?? "?") (\(j["state"] as? String ?? "?"))")
        }
        lines.append(String(repeating: "-", count: title.count + 38))
        return lines.joined(separator: "\n")
    }

    static func time(_ ms: Any?) -> String {
        guard let ms = ms as? Int, ms > 0 else { return "-" }
        let f = DateFormatter()
        f.dateFormat = "dd.MM.yyyy HH:mm:ss"
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func duration(_ ms: Any?) -> String {
        let s = (ms as? Int ?? 0) / 1000
        return s < 60 ? "\(s) s" : s < 3600 ? "\(s / 60) min \(s % 60) s" : "\(s / 3600) h \(s / 60 % 60) min"
    }

    /// A job name or id as one path segment.
    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
    }
}
