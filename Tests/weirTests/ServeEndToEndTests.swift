import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import WeirKafka

/// `weir serve` as a user runs it (issue 10, the part built so far): the real
/// binary runs a directory's pipelines as managed jobs on the embedded broker
/// and answers Flink's REST reads through a real HTTP client; SIGTERM ends it
/// with exit 0.
final class ServeEndToEndTests: XCTestCase {
    struct HTTPAnswer { let status: Int; let json: Any? }

    func get(_ url: URL, method: String = "GET", body: Data? = nil) async throws -> HTTPAnswer {
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let body {
            request.httpBody = body
            request.setValue("application/yaml", forHTTPHeaderField: "Content-Type")
        }
        request.timeoutInterval = 10
        let (data, response) = try await URLSession.shared.data(for: request)
        return HTTPAnswer(status: (response as? HTTPURLResponse)?.statusCode ?? -1,
                          json: try? JSONSerialization.jsonObject(with: data))
    }

    func apiURL(printedBy process: Process, on out: Pipe) throws -> (url: String, printed: String) {
        try restAPIURL(printedBy: process, on: out)
    }

    func testServeRunsADirectorysPipelinesAndAnswersFlinksReads() async throws {
        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        for t in ["input-topic", "output-topic", "clicks-dlq", "clicks-late", "clicks-per-user-state"] {
            try broker.createTopic(t, partitions: 4)
        }
        try broker.createTopic("weir-jobs", partitions: 1)
        let bs = broker.bootstrapServers
        let gen = try runWeir(["generate", "--bootstrap", bs, "--events", "3000"])
        XCTAssertEqual(gen.status, 0, gen.err)

        let dir = try temporaryDirectory("serve", self)
        let pipelines = dir.appendingPathComponent("pipelines")
        try FileManager.default.createDirectory(at: pipelines, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("pipelines/clicks-per-user.yaml"),
                                         to: pipelines.appendingPathComponent("clicks-per-user.yaml"))
        try "name: broken\nsource: {kafka: {topic: t}}\nsteps:\n  - filter: \"amount >\"\nsink: {kafka: {topic: o}}\n"
            .write(to: pipelines.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        try "not a pipeline".write(to: pipelines.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)

        let serve = Process()
        serve.executableURL = try weirBinary()
        // A secret in the service config must never be shown.
        let config = dir.appendingPathComponent("weir.yaml")
        try "kafka:\n  properties: {ssl.key.password: hunter2-secret}\ncheckpoint:\n  interval: 300ms\n"
            .write(to: config, atomically: true, encoding: .utf8)
        serve.arguments = ["serve", "--config", config.path, "--pipelines", pipelines.path, "--port", "0", "--log-level", "warning"]
        serve.currentDirectoryURL = dir
        serve.environment = ProcessInfo.processInfo.environment.merging(
            ["WEIR_KAFKA_BOOTSTRAP_SERVERS": bs, "WEIR_INSTANCE_ID": "serve-test"]) { $1 }
        let out = Pipe(), err = Pipe()
        serve.standardOutput = out
        serve.standardError = err
        try serve.run()
        defer { if serve.isRunning { serve.interrupt(); serve.waitUntilExit() } }

        // The first line says where the API listens.
        let (base, firstLine) = try apiURL(printedBy: serve, on: out)
        XCTAssertTrue(firstLine.contains("instance serve-test · jobs topic weir-jobs · 1 pipeline file(s)"), firstLine)

        // The job runs and reads every event.
        var detail: [String: Any] = [:]
        let readDeadline = Date().addingTimeInterval(60)
        repeat {
            try await Task.sleep(for: .milliseconds(200))
            detail = try await get(URL(string: "\(base)/jobs/clicks-per-user")!).json as? [String: Any] ?? [:]
            let vertex = (detail["vertices"] as? [[String: Any]])?.first
            if ((vertex?["metrics"] as? [String: Any])?["read-records"] as? Int) == 3000 { break }
        } while Date() < readDeadline
        let jid = try XCTUnwrap(detail["jid"] as? String)
        XCTAssertEqual(jid.count, 32)
        XCTAssertTrue(jid.allSatisfy { "0123456789abcdef".contains($0) }, jid)
        XCTAssertEqual(detail["name"] as? String, "clicks-per-user")
        XCTAssertEqual(detail["state"] as? String, "RUNNING")
        XCTAssertEqual(detail["num-restarts"] as? Int, 0)
        XCTAssertGreaterThan(detail["start-time"] as? Int ?? -1, 0)
        XCTAssertEqual(detail["end-time"] as? Int, -1)
        let vertex = try XCTUnwrap((detail["vertices"] as? [[String: Any]])?.first)
        XCTAssertEqual(vertex["parallelism"] as? Int, 2)
        XCTAssertEqual((vertex["metrics"] as? [String: Any])?["read-records"] as? Int, 3000)

        // By id too; the list and the overview agree.
        let byID = try await get(URL(string: "\(base)/jobs/\(jid)")!)
        XCTAssertEqual(byID.status, 200)
        XCTAssertEqual((byID.json as? [String: Any])?["jid"] as? String, jid)
        let list = try await get(URL(string: "\(base)/jobs")!)
        XCTAssertEqual(list.status, 200)
        let jobs = try XCTUnwrap((list.json as? [String: Any])?["jobs"] as? [[String: Any]])
        XCTAssertEqual(jobs.map { $0["id"] as? String }, [jid], "the broken pipeline did not start")
        XCTAssertEqual(jobs.first?["status"] as? String, "RUNNING")
        let overview = try await get(URL(string: "\(base)/jobs/overview")!)
        let entry = try XCTUnwrap(((overview.json as? [String: Any])?["jobs"] as? [[String: Any]])?.first)
        for field in ["jid", "name", "state", "start-time", "end-time", "duration", "last-modification", "tasks"] {
            XCTAssertNotNil(entry[field], "jobs/overview has \(field)")
        }
        XCTAssertEqual((entry["tasks"] as? [String: Any])?["total"] as? Int, 2)
        let clusterAnswer = try await get(URL(string: "\(base)/overview")!)
        let cluster = try XCTUnwrap(clusterAnswer.json as? [String: Any])
        XCTAssertEqual(cluster["jobs-running"] as? Int, 1)
        XCTAssertEqual(cluster["jobs-failed"] as? Int, 0)
        XCTAssertEqual(cluster["librdkafka-version"] as? String, "2.0.2")

        // Errors are JSON with Flink's shape.
        for path in ["/jobs/no-such-job", "/jobs/00000000000000000000000000000000", "/no/such/path"] {
            let answer = try await get(URL(string: base + path)!)
            XCTAssertEqual(answer.status, 404, path)
            XCTAssertEqual(((answer.json as? [String: Any])?["errors"] as? [String])?.count, 1, path)
        }
        let health = try await get(URL(string: "\(base)/healthz")!), ready = try await get(URL(string: "\(base)/readyz")!)
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(ready.status, 200)
        let wrongMethod = try await get(URL(string: "\(base)/jobs/overview")!, method: "POST")
        XCTAssertEqual(wrongMethod.status, 405)
        XCTAssertNotNil((wrongMethod.json as? [String: Any])?["errors"])

        // The configuration, secrets masked.
        let configAnswer = try await get(URL(string: "\(base)/config")!)
        let properties = ((configAnswer.json as? [String: Any])?["kafka"] as? [String: Any])?["properties"] as? [String: String]
        XCTAssertEqual(properties?["ssl.key.password"], "******")
        XCTAssertEqual((configAnswer.json as? [String: Any])?["instance-id"] as? String, "serve-test")
        for path in ["/config", "/jobs/\(jid)", "/overview"] {
            var request = URLRequest(url: URL(string: base + path)!)
            request.timeoutInterval = 10
            let (raw, _) = try await URLSession.shared.data(for: request)
            XCTAssertFalse(String(decoding: raw, as: UTF8.self).contains("hunter2"), path)
        }

        // Plan, checkpoints, exceptions and the metrics the Flink Kubernetes operator polls.
        let plan = try await get(URL(string: "\(base)/jobs/\(jid)/plan")!)
        let nodes = try XCTUnwrap(((plan.json as? [String: Any])?["plan"] as? [String: Any])?["nodes"] as? [[String: Any]])
        XCTAssertEqual(nodes.count, 1)
        XCTAssertEqual(nodes.first?["parallelism"] as? Int, 2)
        XCTAssertTrue((nodes.first?["description"] as? String ?? "").hasPrefix("input-topic -> keyed windows"), "\(nodes)")
        var completed = 0
        let checkpointDeadline = Date().addingTimeInterval(20)
        repeat {
            let c = try await get(URL(string: "\(base)/jobs/\(jid)/checkpoints")!)
            completed = (((c.json as? [String: Any])?["counts"] as? [String: Any])?["completed"] as? Int) ?? 0
            if completed > 0 {
                let summary = (c.json as? [String: Any])?["summary"] as? [String: Any]
                XCTAssertNotNil((summary?["end_to_end_duration"] as? [String: Any])?["p99"], "\(summary ?? [:])")
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        } while Date() < checkpointDeadline
        XCTAssertGreaterThan(completed, 0, "checkpoints complete (300 ms interval)")
        let metrics = try await get(URL(string: "\(base)/jobs/\(jid)/metrics?get=numRestarts,numberOfCompletedCheckpoints,noSuchMetric")!)
        let values = try XCTUnwrap(metrics.json as? [[String: Any]])
        XCTAssertEqual(values.compactMap { $0["id"] as? String }, ["numRestarts", "numberOfCompletedCheckpoints"])
        XCTAssertEqual(values.first?["value"] as? String, "0")
        XCTAssertGreaterThan(Int(values.last?["value"] as? String ?? "") ?? 0, 0)
        // /metrics, read by prometheus_client's parser: the job's real numbers.
        var request = URLRequest(url: URL(string: "\(base)/metrics")!)
        request.timeoutInterval = 10
        var text = Data()
        let partitionsDeadline = Date().addingTimeInterval(10)
        repeat {   // the tasks publish their partitions' lag and watermarks four times a second
            (text, _) = try await URLSession.shared.data(for: request)
            let lagLines = String(decoding: text, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("weir_consumer_lag_records{") }
            if lagLines.count == 4, lagLines.allSatisfy({ $0.hasSuffix(" 0") || $0.hasSuffix(" 0.0") }) { break }
            try await Task.sleep(for: .milliseconds(100))
        } while Date() < partitionsDeadline
        let metricsFile = dir.appendingPathComponent("metrics.txt")
        try text.write(to: metricsFile)
        let parsed = try runPython([repoRoot.appendingPathComponent("Tests/weirTests/interop/prometheus_check.py").path, metricsFile.path])
        XCTAssertEqual(parsed.status, 0, parsed.err)
        let families = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(parsed.out.utf8)) as? [String: Any])
        let byJob = try XCTUnwrap(families["byJob"] as? [String: Double])
        XCTAssertEqual(byJob["weir_records_in_total|clicks-per-user"], 3000, "records in equal the events written")
        XCTAssertGreaterThan(byJob["weir_checkpoints_completed_total|clicks-per-user"] ?? 0, 0)
        XCTAssertEqual(byJob["weir_job_running|clicks-per-user"], 1)
        XCTAssertEqual(byJob["weir_consumer_lag_records|clicks-per-user"], 0, "lag reaches 0 once drained")
        XCTAssertGreaterThan(byJob["weir_state_keys|clicks-per-user"] ?? 0, 100, "keys with open windows")
        XCTAssertGreaterThanOrEqual(byJob["weir_state_windows|clicks-per-user"] ?? 0, byJob["weir_state_keys|clicks-per-user"] ?? 1)
        XCTAssertGreaterThan(byJob["weir_bytes_in_total|clicks-per-user"] ?? 0, 3000 * 50)
        XCTAssertGreaterThan(byJob["weir_checkpoint_duration_seconds_count|clicks-per-user"] ?? 0, 0)
        XCTAssertGreaterThan(byJob["weir_watermark_seconds|clicks-per-user"] ?? 0, 4 * 1.7e9, "four partitions' watermarks, in seconds")
        XCTAssertEqual((families["types"] as? [String: String])?["weir_checkpoint_pause_seconds"], "histogram")
        XCTAssertEqual((families["types"] as? [String: String])?["weir_records_in"], "counter", "counters are typed counter (the parser strips _total)")
        XCTAssertEqual((families["build"] as? [String: String])?["librdkafka_version"], "2.0.2")
        XCTAssertFalse(String(decoding: text, as: UTF8.self).contains("hunter2"))
        // The Grafana dashboard charts only metrics this instance serves (and docs/metrics.md lists).
        let servedMetrics = String(decoding: text, as: UTF8.self)
        let documentedMetrics = try String(contentsOf: repoRoot.appendingPathComponent("docs/metrics.md"), encoding: .utf8)
        let dashboard = try String(contentsOf: repoRoot.appendingPathComponent("deploy/grafana/dashboards/weir.json"), encoding: .utf8)
        let charted = Set(try NSRegularExpression(pattern: "weir_[a-z_]+").matches(in: dashboard, range: NSRange(dashboard.startIndex..., in: dashboard))
            .compactMap { Range($0.range, in: dashboard).map { String(dashboard[$0]) } })
        XCTAssertGreaterThan(charted.count, 15)
        for name in charted {
            XCTAssertTrue(servedMetrics.contains("\n\(name){") || servedMetrics.contains("\n\(name) "), "\(name) is charted but not served")
            let base = name.replacingOccurrences(of: "_bucket", with: "")
            XCTAssertTrue(documentedMetrics.contains("`\(base)`"), "\(base) is charted but not in docs/metrics.md")
        }
        let exceptions = try await get(URL(string: "\(base)/jobs/\(jid)/exceptions")!)
        XCTAssertEqual((((exceptions.json as? [String: Any])?["exceptionHistory"] as? [String: Any])?["entries"] as? [Any])?.count, 0)

        // The OpenAPI document served is docs/openapi.json, and it names every route this test calls.
        var openAPIRequest = URLRequest(url: URL(string: "\(base)/openapi.json")!)
        openAPIRequest.timeoutInterval = 10
        let (served, _) = try await URLSession.shared.data(for: openAPIRequest)
        let committed = try Data(contentsOf: repoRoot.appendingPathComponent("docs/openapi.json"))
        XCTAssertEqual(try JSONSerialization.jsonObject(with: served) as? NSDictionary,
                       try JSONSerialization.jsonObject(with: committed) as? NSDictionary, "run scripts/gen-openapi.sh")
        let documented = Set(((try JSONSerialization.jsonObject(with: committed) as? [String: Any])?["paths"] as? [String: Any])?.keys.map { $0 } ?? [])
        XCTAssertEqual(documented, ["/overview", "/config", "/metrics", "/healthz", "/readyz", "/jobs", "/jobs/overview", "/jobs/validate",
                                    "/jobs/{jobid}", "/jobs/{jobid}/plan", "/jobs/{jobid}/checkpoints", "/jobs/{jobid}/exceptions",
                                    "/jobs/{jobid}/metrics", "/jobs/{jobid}/stop", "/jobs/{jobid}/savepoints",
                                    "/jobs/{jobid}/savepoints/{triggerid}", "/jobs/{jobid}/checkpoints/config",
                                    "/jobs/{jobid}/lag", "/jobs/{jobid}/watermarks", "/jobs/{jobid}/dead-letters",
                                    "/jobs/{jobid}/state", "/jobs/{jobid}/pipeline", "/jobs/{jobid}/history", "/"])

        // Validation for an editor: the same diagnostics as weir validate, as data; bodies are bounded.
        let valid = try await get(URL(string: "\(base)/jobs/validate")!, method: "POST",
                                  body: try Data(contentsOf: repoRoot.appendingPathComponent("pipelines/clicks-per-user.yaml")))
        XCTAssertEqual(valid.status, 200)
        XCTAssertEqual((valid.json as? [String: Any])?["valid"] as? Bool, true)
        XCTAssertEqual((valid.json as? [String: Any])?["name"] as? String, "clicks-per-user")
        let invalid = try await get(URL(string: "\(base)/jobs/validate")!, method: "POST",
                                    body: Data("name: x\nsource: {kafka: {topic: t}}\nsteps:\n  - filter: \"amount >\"\nsink: {kafka: {topic: o}}\n".utf8))
        XCTAssertEqual(invalid.status, 200)
        let diagnostics = try XCTUnwrap((invalid.json as? [String: Any])?["diagnostics"] as? [[String: Any]])
        XCTAssertEqual((invalid.json as? [String: Any])?["valid"] as? Bool, false)
        XCTAssertEqual(diagnostics.first?["line"] as? Int, 4, "\(diagnostics)")
        XCTAssertTrue((diagnostics.first?["text"] as? String ?? "").hasPrefix("pipeline.yaml:4:"), "\(diagnostics)")
        let huge = try await get(URL(string: "\(base)/jobs/validate")!, method: "POST", body: Data(repeating: 0x61, count: (1 << 20) + 1))
        XCTAssertEqual(huge.status, 413)
        XCTAssertNotNil((huge.json as? [String: Any])?["errors"])
        let binary = try await get(URL(string: "\(base)/jobs/validate")!, method: "POST", body: Data([0xff, 0xfe, 0x00]))
        XCTAssertEqual(binary.status, 400)
        let validateByGet = try await get(URL(string: "\(base)/jobs/validate")!)
        XCTAssertEqual(validateByGet.status, 405)

        // Hostile and plentiful input: 1,000 concurrent requests, none answered 5xx, the job runs on.
        let paths = ["/jobs", "/jobs/\(jid)", "/jobs/..%2F..%2Fetc%2Fpasswd", "/jobs/%00", "/jobs/\(jid)/metrics?get=" + String(repeating: "x,", count: 500),
                     "/jobs/\(jid)/plan/../../config", "/overview?%%%", "/metrics", "/jobs/" + String(repeating: "a", count: 4000)]
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<1000 {
                let path = paths[i % paths.count]
                group.addTask {
                    if i % 10 == 9 {
                        return try await self.get(URL(string: "\(base)/jobs/validate")!, method: "POST", body: Data("{[: not yaml".utf8)).status
                    }
                    guard let url = URL(string: base + path) else { return 400 }
                    return try await self.get(url).status
                }
            }
            var all: [Int] = []
            for try await s in group { all.append(s) }
            return all
        }
        XCTAssertEqual(statuses.count, 1000)
        XCTAssertEqual(statuses.filter { $0 >= 500 || $0 < 200 }, [], "no 5xx, every request answered")
        let afterLoad = try await get(URL(string: "\(base)/jobs/\(jid)")!)
        XCTAssertEqual((afterLoad.json as? [String: Any])?["state"] as? String, "RUNNING")

        // The CLI verbs over the API, as Flink's.
        let listed = try runWeir(["list", "--url", base])
        XCTAssertEqual(listed.status, 0, listed.err)
        XCTAssertTrue(listed.out.contains(": \(jid) : clicks-per-user (RUNNING)"), listed.out)
        let info = try runWeir(["info", "clicks-per-user", "--url", base])
        XCTAssertEqual(info.status, 0, info.err)
        XCTAssertTrue(info.out.hasPrefix("clicks-per-user (\(jid)): RUNNING"), info.out)
        XCTAssertTrue(info.out.contains("3000 records read"), info.out)
        XCTAssertTrue(info.out.contains("lag (instance serve-test, 4 partition(s)): 0 records"), info.out)
        XCTAssertTrue(info.out.contains(" ago"), info.out)
        let unknown = try runWeir(["info", "no-such-job", "--url", base])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.err.contains("Job no-such-job not found"), unknown.err)
        let unreachable = try runWeir(["list", "--url", "http://127.0.0.1:9"])
        XCTAssertEqual(unreachable.status, 1)
        XCTAssertTrue(unreachable.err.contains("cannot reach weir serve"), unreachable.err)

        // Cancel (through the CLI: PATCH ?mode=cancel, 202), then CANCELED; a second cancel is refused.
        let cancel = try runWeir(["cancel", jid], environment: ["WEIR_URL": base])
        XCTAssertEqual(cancel.status, 0, cancel.err)
        XCTAssertEqual(cancel.out, "Cancelled job \(jid).\n")
        var state = ""
        let cancelDeadline = Date().addingTimeInterval(30)
        repeat {
            try await Task.sleep(for: .milliseconds(100))
            state = (try await get(URL(string: "\(base)/jobs/\(jid)")!).json as? [String: Any])?["state"] as? String ?? ""
        } while state != "CANCELED" && Date() < cancelDeadline
        XCTAssertEqual(state, "CANCELED")
        let again = try await get(URL(string: "\(base)/jobs/\(jid)?mode=cancel")!, method: "PATCH")
        XCTAssertEqual(again.status, 409)
        let badMode = try await get(URL(string: "\(base)/jobs/\(jid)?mode=explode")!, method: "PATCH")
        XCTAssertEqual(badMode.status, 400)
        let ended = try runWeir(["list", "-a", "--url", base])
        XCTAssertTrue(ended.out.contains("No running/restarting jobs."), ended.out)
        XCTAssertTrue(ended.out.contains(": \(jid) : clicks-per-user (CANCELED)"), ended.out)
        let afterCancel = try await get(URL(string: "\(base)/overview")!)
        XCTAssertEqual((afterCancel.json as? [String: Any])?["jobs-cancelled"] as? Int, 1)
        let stillUp = try await get(URL(string: "\(base)/healthz")!)
        XCTAssertEqual(stillUp.status, 200, "the service outlives its jobs")

        // SIGTERM: the tasks checkpoint and leave, the process exits 0.
        serve.terminate()
        let exitDeadline = Date().addingTimeInterval(30)
        while serve.isRunning && Date() < exitDeadline { try await Task.sleep(for: .milliseconds(50)) }
        XCTAssertFalse(serve.isRunning, "exited within 30 s of SIGTERM")
        serve.waitUntilExit()
        XCTAssertEqual(serve.terminationStatus, 0)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(stderr.contains("broken.yaml not registered"), stderr)
    }

    /// `weir dev --serve` serves the same API over its job and stays up after the
    /// generated events are processed (the job then FINISHED), until SIGTERM.
    func testDevServesTheAPIAndStaysUpWithServe() async throws {
        let dev = Process()
        dev.executableURL = try weirBinary()
        dev.arguments = ["dev", "pipelines/clicks-per-user.yaml", "--generate", "2000", "--serve", "--port", "0"]
        dev.currentDirectoryURL = repoRoot
        let out = Pipe()
        dev.standardOutput = out
        dev.standardError = FileHandle.nullDevice
        try dev.run()
        defer { if dev.isRunning { dev.interrupt(); dev.waitUntilExit() } }
        let (base, printed) = try apiURL(printedBy: dev, on: out)
        var state = "", read = -1
        let doneDeadline = Date().addingTimeInterval(60)
        repeat {
            try await Task.sleep(for: .milliseconds(200))
            let detail = try await get(URL(string: "\(base)/jobs/clicks-per-user")!).json as? [String: Any]
            state = detail?["state"] as? String ?? ""
            read = (((detail?["vertices"] as? [[String: Any]])?.first?["metrics"]) as? [String: Any])?["read-records"] as? Int ?? -1
        } while state != "FINISHED" && Date() < doneDeadline
        XCTAssertEqual(state, "FINISHED", "the generated events are processed and the job has ended (\(base), \(printed))")
        XCTAssertEqual(read, 2000)
        XCTAssertTrue(dev.isRunning, "--serve keeps the API up")
        dev.terminate()
        let exitDeadline = Date().addingTimeInterval(30)
        while dev.isRunning && Date() < exitDeadline { try await Task.sleep(for: .milliseconds(50)) }
        dev.waitUntilExit()
        XCTAssertEqual(dev.terminationStatus, 0)
    }

    /// `weir serve` with no jobs, reads protected by `token`, Kafka unreachable
    /// (the API answers regardless); the caller stops the process.
    func protectedServe(_ name: String, token: String, instance: String) throws -> (process: Process, base: String) {
        let dir = try temporaryDirectory(name, self)
        let serve = Process()
        serve.executableURL = try weirBinary()
        serve.arguments = ["serve", "--pipelines", dir.path, "--port", "0", "--protect-reads", "--log-level", "warning"]
        serve.environment = ProcessInfo.processInfo.environment.merging(
            ["WEIR_REST_TOKEN": token, "WEIR_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", "WEIR_INSTANCE_ID": instance]) { $1 }
        let out = Pipe()
        serve.standardOutput = out
        serve.standardError = FileHandle.nullDevice
        try serve.run()
        do { return (serve, try apiURL(printedBy: serve, on: out).url) } catch {
            serve.terminate(); serve.waitUntilExit()
            throw error
        }
    }

    /// With WEIR_REST_TOKEN set (and --protect-reads), requests need the bearer
    /// token, except the health probes; the CLI sends it from the same variable.
    func testATokenProtectsTheAPI() async throws {
        let serve = try protectedServe("serve-auth", token: "s3cret-token", instance: "auth")
        defer { if serve.process.isRunning { serve.process.terminate(); serve.process.waitUntilExit() } }
        let base = serve.base
        func call(_ path: String, method: String = "GET", token: String?) async throws -> Int {
            var request = URLRequest(url: URL(string: base + path)!)
            request.httpMethod = method
            if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            let (_, response) = try await URLSession.shared.data(for: request)
            return (response as? HTTPURLResponse)?.statusCode ?? -1
        }
        let noToken = try await call("/jobs", token: nil)
        let wrong = try await call("/jobs", token: "s3cret-tokem")
        let longer = try await call("/jobs", token: "s3cret-token2")
        let right = try await call("/jobs", token: "s3cret-token")
        let health = try await call("/healthz", token: nil)
        let mutation = try await call("/jobs/x?mode=cancel", method: "PATCH", token: nil)
        let mutationWithToken = try await call("/jobs/x?mode=cancel", method: "PATCH", token: "s3cret-token")
        XCTAssertEqual([noToken, wrong, longer, right, health, mutation, mutationWithToken], [401, 401, 401, 200, 200, 401, 404])
        let cliWithout = try runWeir(["list", "--url", base])
        XCTAssertEqual(cliWithout.status, 1)
        XCTAssertTrue(cliWithout.err.contains("bearer token"), cliWithout.err)
        let cli = try runWeir(["list", "--url", base], environment: ["WEIR_REST_TOKEN": "s3cret-token"])
        XCTAssertEqual(cli.status, 0, cli.err)
    }

    /// The web UI is embedded: every file of ui/ is served at its relative path,
    /// byte for byte, with its content type, without a token even when reads are
    /// protected (the page must load to ask for one), and under a
    /// Content-Security-Policy that allows index.html's one inline script by its
    /// hash and no other script. A stale UIAssets.swift (ui/ edited without
    /// scripts/gen-ui.sh) fails here.
    func testTheUIIsServedAsItsFilesWithoutAToken() async throws {
        let serve = try protectedServe("serve-ui", token: "ui-token", instance: "ui")
        defer { if serve.process.isRunning { serve.process.terminate(); serve.process.waitUntilExit() } }
        let base = serve.base
        func fetch(_ path: String) async throws -> (Int, Data, HTTPURLResponse?) {
            let (data, response) = try await URLSession.shared.data(for: URLRequest(url: URL(string: base + path)!))
            let http = response as? HTTPURLResponse
            return (http?.statusCode ?? -1, data, http)
        }
        let ui = repoRoot.appendingPathComponent("ui")
        let files = try XCTUnwrap(FileManager.default.enumerator(at: ui, includingPropertiesForKeys: [.isRegularFileKey]))
            .compactMap { $0 as? URL }.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .map { String($0.standardizedFileURL.path.dropFirst(ui.standardizedFileURL.path.count + 1)) }
        XCTAssertGreaterThan(files.count, 20, "ui/ holds the UI's files")
        let types = ["html": "text/html", "js": "text/javascript", "css": "text/css"]
        for file in files.sorted() {
            let (status, data, response) = try await fetch("/" + file)
            XCTAssertEqual(status, 200, file)
            XCTAssertEqual(data, try Data(contentsOf: ui.appendingPathComponent(file)), "\(file) as served equals ui/\(file): run scripts/gen-ui.sh")
            let ext = (file as NSString).pathExtension
            XCTAssertTrue(response?.value(forHTTPHeaderField: "Content-Type")?.hasPrefix(types[ext] ?? "?") == true, file)
        }
        let (rootStatus, root, rootResponse) = try await fetch("/")
        XCTAssertEqual(rootStatus, 200)
        XCTAssertEqual(root, try Data(contentsOf: ui.appendingPathComponent("index.html")))
        // The policy names exactly the hash of the inline script as it is in ui/index.html.
        let hash = try runPython(["-c", "import re,hashlib,base64; s=re.search(r'<script>(.*?)</script>', open('ui/index.html').read(), re.S).group(1); "
                                      + "print(base64.b64encode(hashlib.sha256(s.encode()).digest()).decode())"])
        XCTAssertEqual(hash.status, 0, hash.err)
        let csp = rootResponse?.value(forHTTPHeaderField: "Content-Security-Policy") ?? ""
        XCTAssertTrue(csp.contains("script-src 'self' 'sha256-\(hash.out.trimmingCharacters(in: .whitespacesAndNewlines))';"), csp)
        // The API stays protected, and so is any path that is not one of the UI's
        // files: a JSON error, not the page.
        let (jobs, _, _) = try await fetch("/jobs")
        XCTAssertEqual(jobs, 401)
        let (missing, body, _) = try await fetch("/pages/nope.js")
        XCTAssertEqual(missing, 401)
        XCTAssertNotNil(try? JSONSerialization.jsonObject(with: body), String(decoding: body, as: UTF8.self))
    }

    /// SIGTERM drains (the tasks' last checkpoint); when the drain cannot
    /// finish (here the broker is frozen with SIGSTOP), a second signal exits
    /// at once with 130, as operators expect of Ctrl-C pressed twice.
    func testASecondSignalExitsAtOnce() async throws {
        let dir = try temporaryDirectory("serve-signals", self)
        let broker = Process()
        broker.executableURL = try weirBinary()
        broker.arguments = ["broker", "--topic", "input-topic:2", "--topic", "output-topic:2", "--topic", "clicks-dlq:2",
                            "--topic", "clicks-late:2", "--topic", "clicks-per-user-state:2", "--registry-dir", dir.appendingPathComponent("registry").path]
        let brokerOut = Pipe()
        broker.standardOutput = brokerOut
        broker.standardError = FileHandle.nullDevice
        try broker.run()
        defer { kill(broker.processIdentifier, SIGCONT); broker.terminate(); broker.waitUntilExit() }
        var firstLine = ""
        while !firstLine.contains("\n") { firstLine += String(decoding: brokerOut.fileHandleForReading.availableData, as: UTF8.self) }
        let bs = String(firstLine.split(separator: "\n")[0])
        XCTAssertEqual(try runWeir(["generate", "--bootstrap", bs, "--events", "500"]).status, 0)
        let pipelines = dir.appendingPathComponent("pipelines")
        try FileManager.default.createDirectory(at: pipelines, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("pipelines/clicks-per-user.yaml"),
                                         to: pipelines.appendingPathComponent("clicks-per-user.yaml"))
        let serve = Process()
        serve.executableURL = try weirBinary()
        serve.arguments = ["serve", "--pipelines", pipelines.path, "--port", "0", "--log-level", "warning", "--shutdown-timeout", "120"]
        serve.currentDirectoryURL = dir
        serve.environment = ProcessInfo.processInfo.environment.merging(["WEIR_KAFKA_BOOTSTRAP_SERVERS": bs, "WEIR_INSTANCE_ID": "signals"]) { $1 }
        let out = Pipe()
        serve.standardOutput = out
        serve.standardError = FileHandle.nullDevice
        try serve.run()
        defer { if serve.isRunning { serve.interrupt(); serve.waitUntilExit() } }
        let (base, _) = try restAPIURL(printedBy: serve, on: out)
        var state = ""
        let deadline = Date().addingTimeInterval(60)
        repeat {
            try await Task.sleep(for: .milliseconds(200))
            let data = try? await URLSession.shared.data(from: URL(string: base + "/readyz")!)
            state = ((data?.1 as? HTTPURLResponse)?.statusCode).map(String.init) ?? ""
        } while state != "200" && Date() < deadline
        XCTAssertEqual(state, "200", "the job is running and ready")

        kill(broker.processIdentifier, SIGSTOP)   // the last checkpoints cannot be committed now
        serve.terminate()
        try await Task.sleep(for: .seconds(2))
        XCTAssertTrue(serve.isRunning, "the first SIGTERM waits for the drain (up to the shutdown timeout)")
        let second = Date()
        serve.terminate()
        while serve.isRunning && Date().timeIntervalSince(second) < 10 { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertFalse(serve.isRunning, "the second signal ends it at once")
        XCTAssertLessThan(Date().timeIntervalSince(second), 2)
        serve.waitUntilExit()
        XCTAssertEqual(serve.terminationStatus, 130)
    }

    /// rest.tls in the service config: the API serves HTTPS (checked with curl
    /// trusting the certificate, and refused by curl that does not); rest.port,
    /// rest.address and rest.token from the same file.
    func testTLSAndTheRestKeysOfTheConfig() async throws {
        let dir = try temporaryDirectory("serve-tls", self)
        let cert = dir.appendingPathComponent("cert.pem").path, key = dir.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                             "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run(); openssl.waitUntilExit()
        XCTAssertEqual(openssl.terminationStatus, 0)
        let config = dir.appendingPathComponent("weir.yaml")
        try """
            kafka: {bootstrapServers: "127.0.0.1:9"}
            rest:
              port: 0
              address: 127.0.0.1
              token: file-token
              tls: {certificateFile: \(cert), keyFile: \(key)}
            """.write(to: config, atomically: true, encoding: .utf8)
        let serve = Process()
        serve.executableURL = try weirBinary()
        serve.arguments = ["serve", "--config", config.path, "--pipelines", dir.path, "--log-level", "warning"]
        serve.environment = ProcessInfo.processInfo.environment.merging(["WEIR_INSTANCE_ID": "tls"]) { $1 }
            .filter { $0.key != "WEIR_REST_TOKEN" }
        let out = Pipe()
        serve.standardOutput = out
        serve.standardError = FileHandle.nullDevice
        try serve.run()
        defer { if serve.isRunning { serve.terminate(); serve.waitUntilExit() } }
        let (base, _) = try restAPIURL(printedBy: serve, on: out)
        XCTAssertTrue(base.hasPrefix("https://127.0.0.1:"), base)
        func curl(_ args: [String]) throws -> (status: Int32, out: String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["curl", "-s", "-o", "-", "-w", "\n%{http_code}"] + args
            let o = Pipe()
            p.standardOutput = o
            p.standardError = FileHandle.nullDevice
            try p.run(); p.waitUntilExit()
            return (p.terminationStatus, String(decoding: o.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
        let trusted = try curl(["--cacert", cert, base + "/healthz"])
        XCTAssertEqual(trusted.status, 0)
        XCTAssertTrue(trusted.out.hasSuffix("\n200"), trusted.out)
        let untrusted = try curl([base + "/healthz"])
        XCTAssertNotEqual(untrusted.status, 0, "a certificate nobody vouches for is refused")
        let plain = try curl([base.replacingOccurrences(of: "https://", with: "http://") + "/healthz"])
        XCTAssertFalse(plain.out.hasSuffix("\n200"), "no plain HTTP on the TLS port")
        // rest.token from the file protects mutations.
        let noToken = try curl(["--cacert", cert, "-X", "PATCH", base + "/jobs/x?mode=cancel"])
        XCTAssertTrue(noToken.out.hasSuffix("\n401"), noToken.out)
        let withToken = try curl(["--cacert", cert, "-X", "PATCH", "-H", "Authorization: Bearer file-token", base + "/jobs/x?mode=cancel"])
        XCTAssertTrue(withToken.out.hasSuffix("\n404"), withToken.out)
    }
}
