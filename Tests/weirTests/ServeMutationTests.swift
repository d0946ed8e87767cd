import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import WeirKafka

/// The write side of `weir serve`'s REST API through a real client against the
/// real binary on the embedded broker: submit (and its refusals), lag,
/// watermarks, dead letters, checkpoint history, a savepoint with its status,
/// stop with a savepoint, and a restore through `POST /jobs?savepointPath=`.
/// Exactness across instances, kills and restores is the service shell tests'
/// (tests/service).
final class ServeMutationTests: XCTestCase {
    struct Answer { let status: Int; let json: Any? }

    func call(_ url: String, _ method: String = "GET", body: Data? = nil, type: String = "application/json") async throws -> Answer {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 20
        if let body { request.httpBody = body; request.setValue(type, forHTTPHeaderField: "Content-Type") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return Answer(status: (response as? HTTPURLResponse)?.statusCode ?? -1, json: try? JSONSerialization.jsonObject(with: data))
    }

    func object(_ a: Answer) -> [String: Any] { a.json as? [String: Any] ?? [:] }

    func waitFor(_ what: String, seconds: Double = 60, _ check: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await check() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        XCTFail("timed out waiting for \(what)")
    }

    func testSubmitInspectSavepointStopAndRestore() async throws {
        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        for t in ["input-topic", "output-topic", "clicks-dlq", "clicks-late", "clicks-per-user-state"] {
            try broker.createTopic(t, partitions: 4)
        }
        try broker.createTopic("weir-jobs", partitions: 1)
        let bs = broker.bootstrapServers
        // Every 100th event is malformed: dead letters to look at. Forty users: each has state in every window.
        let dir = try temporaryDirectory("serve-mutations", self)
        let events = dir.appendingPathComponent("events.jsonl")
        let gen = try runWeir(["generate", "--bootstrap", bs, "--events", "4000", "--malformed-every", "100", "--users", "40",
                               "--file", events.path])
        XCTAssertEqual(gen.status, 0, gen.err)

        let empty = dir.appendingPathComponent("pipelines")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let savepoints = dir.appendingPathComponent("savepoints")
        let serve = Process()
        serve.executableURL = try weirBinary()
        serve.arguments = ["serve", "--pipelines", empty.path, "--port", "0", "--log-level", "warning"]
        serve.currentDirectoryURL = dir
        serve.environment = ProcessInfo.processInfo.environment.merging(
            ["WEIR_KAFKA_BOOTSTRAP_SERVERS": bs, "WEIR_INSTANCE_ID": "mutations", "WEIR_SAVEPOINTS_DIR": savepoints.path,
             "WEIR_CHECKPOINT_INTERVAL": "300ms"]) { $1 }
        let out = Pipe()
        serve.standardOutput = out
        serve.standardError = FileHandle.nullDevice
        try serve.run()
        defer { if serve.isRunning { serve.interrupt(); serve.waitUntilExit() } }
        let (base, _) = try restAPIURL(printedBy: serve, on: out)
        try await waitFor("readiness") { try await call(base + "/readyz").status == 200 }
        let before = object(try await call(base + "/jobs"))
        XCTAssertEqual((before["jobs"] as? [Any])?.count, 0, "no job before a submission")

        // Submit: refusals first (bad YAML with line:column, bad parameters, a savepoint outside the root).
        let pipeline = try Data(contentsOf: repoRoot.appendingPathComponent("pipelines/clicks-per-user.yaml"))
        let invalid = try await call(base + "/jobs", "POST", body: Data("name: x\nsource: {kafka: {topic: t}}\nsteps:\n  - filter: \"amount >\"\nsink: {kafka: {topic: o}}\n".utf8), type: "application/yaml")
        XCTAssertEqual(invalid.status, 400)
        XCTAssertTrue((object(invalid)["errors"] as? [String])?.first?.hasPrefix("pipeline.yaml:4:") == true, "\(object(invalid))")
        XCTAssertEqual(((object(invalid)["diagnostics"] as? [[String: Any]])?.first?["line"]) as? Int, 4)
        for query in ["parallelism=0", "parallelism=abc", "savepointPath=../../etc", "savepointPath=/etc", "savepointPath=nothing-here"] {
            let refused = try await call(base + "/jobs?" + query, "POST", body: pipeline, type: "application/yaml")
            XCTAssertEqual(refused.status, 400, query)
            XCTAssertNotNil(object(refused)["errors"], query)
        }
        let submitted = try await call(base + "/jobs", "POST", body: pipeline, type: "application/yaml")
        XCTAssertEqual(submitted.status, 200, "\(object(submitted))")
        let jid = try XCTUnwrap(object(submitted)["jobid"] as? String)
        XCTAssertEqual(jid.count, 32)
        XCTAssertEqual(object(submitted)["name"] as? String, "clicks-per-user")
        let twice = try await call(base + "/jobs", "POST", body: pipeline, type: "application/yaml")
        XCTAssertEqual(twice.status, 409)
        // Before its tasks hold their partitions (the embedded broker's join takes 3 s), a savepoint would miss them.
        let early = try await call(base + "/jobs/\(jid)/savepoints", "POST", body: Data("{}".utf8))
        XCTAssertEqual(early.status, 409, "\(object(early))")
        XCTAssertTrue((object(early)["errors"] as? [String])?.first?.contains("not ready") == true)

        // It runs, reads everything; lag drains to 0; watermarks and dead letters are there.
        try await waitFor("every record read") {
            let v = (object(try await call(base + "/jobs/\(jid)"))["vertices"] as? [[String: Any]])?.first?["metrics"] as? [String: Any]
            return v?["read-records"] as? Int == 4000
        }
        let detail = object(try await call(base + "/jobs/\(jid)"))
        let metrics = try XCTUnwrap((detail["vertices"] as? [[String: Any]])?.first?["metrics"] as? [String: Any])
        XCTAssertGreaterThan(metrics["read-bytes"] as? Int ?? 0, 4000 * 50, "about 90 bytes an event")
        XCTAssertGreaterThan(metrics["write-bytes"] as? Int ?? 0, 0)
        XCTAssertGreaterThan(metrics["accumulated-busy-time"] as? Int ?? -1, -1)
        XCTAssertNotNil(metrics["accumulated-backpressured-time"] as? Int)
        var lag: [String: Any] = [:]
        try await waitFor("lag 0 on every partition") {
            lag = object(try await call(base + "/jobs/\(jid)/lag"))
            let parts = lag["partitions"] as? [[String: Any]] ?? []
            return parts.count == 4 && parts.allSatisfy { $0["lag-records"] as? Int == 0 && $0["end-offset"] as? Int != nil }
        }
        XCTAssertEqual(lag["total-lag-records"] as? Int, 0)
        XCTAssertEqual(lag["instance"] as? String, "mutations")
        let ends = (lag["partitions"] as? [[String: Any]] ?? []).compactMap { $0["end-offset"] as? Int }.reduce(0, +)
        XCTAssertEqual(ends, 4000, "the end offsets add up to the records written")
        let watermarks = object(try await call(base + "/jobs/\(jid)/watermarks"))
        let wparts = try XCTUnwrap(watermarks["partitions"] as? [[String: Any]])
        XCTAssertEqual(wparts.count, 4)
        XCTAssertTrue(wparts.allSatisfy { ($0["watermark"] as? Int ?? 0) > 1_700_000_000_000 }, "\(wparts)")
        XCTAssertTrue(wparts.allSatisfy { ($0["watermark-time"] as? String)?.hasSuffix("Z") == true }, "\(wparts)")
        let dead = object(try await call(base + "/jobs/\(jid)/dead-letters?limit=5"))
        let letters = try XCTUnwrap(dead["dead-letters"] as? [[String: Any]])
        XCTAssertEqual(letters.count, 5)
        XCTAssertEqual(letters.first?["error-class"] as? String, "decode")
        XCTAssertEqual(letters.first?["topic"] as? String, "input-topic")
        XCTAssertFalse((letters.first?["reason"] as? String ?? "").isEmpty)
        XCTAssertFalse((letters.first?["preview"] as? String ?? "").contains("\u{0}"))
        for bad in ["0", "1000", "x"] {
            let status = try await call(base + "/jobs/\(jid)/dead-letters?limit=\(bad)").status
            XCTAssertEqual(status, 400, bad)
        }
        // Queryable state: u1's open windows now, plus what u1's windows already emitted, are all its clicks.
        let state = object(try await call(base + "/jobs/\(jid)/state?key=u1"))
        XCTAssertEqual(state["key-fields"] as? [String], ["user_id"])
        XCTAssertEqual(state["tasks-answered"] as? Int, state["tasks-asked"] as? Int)
        let entries = try XCTUnwrap(state["entries"] as? [[String: Any]])
        XCTAssertFalse(entries.isEmpty, "\(state)")
        for e in entries {
            let f = e["fields"] as? [String: Any] ?? [:]
            XCTAssertEqual(f["user_id"] as? String, "u1")
            XCTAssertEqual((f["window_end"] as? Int ?? 0) - (f["window_start"] as? Int ?? 0), 60_000)
        }
        let open = entries.reduce(0) { $0 + (($1["fields"] as? [String: Any])?["clicks"] as? Int ?? 0) }
        let consumed = try runWeir(["consume", "--bootstrap", bs, "--topic", "output-topic", "--idle-ms", "1500"])
        let emitted = consumed.out.split(separator: "\n").compactMap { line -> Int? in
            guard let tab = line.firstIndex(of: "\t"),
                  let row = try? JSONSerialization.jsonObject(with: Data(line[line.index(after: tab)...].utf8)) as? [String: Any],
                  row["user_id"] as? String == "u1" else { return nil }
            return row["clicks"] as? Int
        }.reduce(0, +)
        let clicks = try String(contentsOf: events, encoding: .utf8).split(separator: "\n").filter {
            $0.contains("\"user_id\":\"u1\"") && $0.contains("\"event\":\"click\"") && $0.contains("\"ts\":")
        }.count
        XCTAssertEqual(open + emitted, clicks, "state \(open) + emitted \(emitted)")
        let none = object(try await call(base + "/jobs/\(jid)/state?key=nobody"))
        XCTAssertEqual((none["entries"] as? [Any])?.count, 0)
        for bad in ["", "?key=a&key=b"] {
            let status = try await call(base + "/jobs/\(jid)/state" + bad).status
            XCTAssertEqual(status, 400, bad)
        }
        let checkpoints = object(try await call(base + "/jobs/\(jid)/checkpoints"))
        let history = try XCTUnwrap(checkpoints["history"] as? [[String: Any]])
        XCTAssertFalse(history.isEmpty)
        XCTAssertEqual(history.first?["status"] as? String, "COMPLETED")
        XCTAssertNotNil(((checkpoints["latest"] as? [String: Any])?["completed"] as? [String: Any])?["end_to_end_duration"])
        let checkpointNow = try await call(base + "/jobs/\(jid)/checkpoints", "POST").status
        XCTAssertEqual(checkpointNow, 202)
        let cpConfig = object(try await call(base + "/jobs/\(jid)/checkpoints/config"))
        XCTAssertEqual(cpConfig["mode"] as? String, "exactly_once")
        XCTAssertEqual(cpConfig["interval"] as? Int, 300)

        // A savepoint: refused outside the root, then taken and located.
        for body in [#"{"target-directory":"/etc"}"#, #"{"target-directory":"a/../../b"}"#, #"{"cancel-job":"no"}"#, "[1,2", "null"] {
            let status = try await call(base + "/jobs/\(jid)/savepoints", "POST", body: Data(body.utf8)).status
            XCTAssertEqual(status, 400, body)
        }
        let trigger = try await call(base + "/jobs/\(jid)/savepoints", "POST", body: Data(#"{"target-directory":"manual"}"#.utf8))
        XCTAssertEqual(trigger.status, 202)
        let requestID = try XCTUnwrap(object(trigger)["request-id"] as? String)
        var location = ""
        try await waitFor("the savepoint") {
            let a = object(try await call(base + "/jobs/\(jid)/savepoints/\(requestID)"))
            location = ((a["operation"] as? [String: Any])?["location"] as? String) ?? ""
            return (a["status"] as? [String: Any])?["id"] as? String == "COMPLETED"
        }
        XCTAssertTrue(location.hasPrefix(savepoints.appendingPathComponent("manual").path + "/savepoint-\(jid.prefix(6))-"), location)
        XCTAssertTrue(FileManager.default.fileExists(atPath: location + "/_manifest.json"))
        let unknownTrigger = try await call(base + "/jobs/\(jid)/savepoints/0000").status
        XCTAssertEqual(unknownTrigger, 404)

        // Stop with a savepoint (the CLI's words), then the job is FINISHED and a restore from it runs.
        let stop = try runWeir(["stop", "clicks-per-user", "--savepoint", "stopped", "--url", base])
        XCTAssertEqual(stop.status, 0, stop.err)
        let stopped = try XCTUnwrap(stop.out.components(separatedBy: "Savepoint completed. Path: ").last?.trimmingCharacters(in: CharacterSet.whitespacesAndNewlines))
        XCTAssertTrue(FileManager.default.fileExists(atPath: stopped + "/_manifest.json"), stop.out)
        try await waitFor("FINISHED") { object(try await call(base + "/jobs/\(jid)"))["state"] as? String == "FINISHED" }
        let stopAgain = try await call(base + "/jobs/\(jid)/stop", "POST").status
        XCTAssertEqual(stopAgain, 409, "a finished job cannot be stopped")
        let relative = "stopped/" + (stopped as NSString).lastPathComponent
        let restored = try await call(base + "/jobs?savepointPath=\(relative)&parallelism=1", "POST", body: pipeline, type: "application/yaml")
        XCTAssertEqual(restored.status, 200, "\(object(restored))")
        try await waitFor("RUNNING again") { object(try await call(base + "/jobs/\(jid)"))["state"] as? String == "RUNNING" }
        let again = object(try await call(base + "/jobs/\(jid)"))
        XCTAssertEqual((again["vertices"] as? [[String: Any]])?.first?["parallelism"] as? Int, 1)
        let restoredInfo = (object(try await call(base + "/jobs/\(jid)/checkpoints"))["latest"] as? [String: Any])?["restored"] as? [String: Any]
        XCTAssertEqual(restoredInfo?["is_savepoint"] as? Bool, true)
        XCTAssertEqual(restoredInfo?["external_path"] as? String, stopped)
        // Restored at the end of the input: nothing left to read, nothing read again.
        try await Task.sleep(for: .seconds(4))
        let reread = (object(try await call(base + "/jobs/\(jid)"))["vertices"] as? [[String: Any]])?.first?["metrics"] as? [String: Any]
        XCTAssertEqual(reread?["read-records"] as? Int, 0, "the savepoint's offsets are where it resumes")

        // Cancel through the CLI; SIGTERM ends the service with 0.
        let cancel = try runWeir(["cancel", jid, "--url", base])
        XCTAssertEqual(cancel.status, 0, cancel.err)
        try await waitFor("CANCELED") { object(try await call(base + "/jobs/\(jid)"))["state"] as? String == "CANCELED" }
        serve.terminate()
        serve.waitUntilExit()
        XCTAssertEqual(serve.terminationStatus, 0)
    }
}
