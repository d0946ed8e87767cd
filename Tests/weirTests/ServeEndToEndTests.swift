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

    func get(_ url: URL) async throws -> HTTPAnswer {
        var request = URLRequest(url: url)
        request.timeoutInterval = 10
        let (data, response) = try await URLSession.shared.data(for: request)
        return HTTPAnswer(status: (response as? HTTPURLResponse)?.statusCode ?? -1,
                          json: try? JSONSerialization.jsonObject(with: data))
    }

    func testServeRunsADirectorysPipelinesAndAnswersFlinksReads() async throws {
        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        for t in ["input-topic", "output-topic", "clicks-dlq", "clicks-late", "clicks-per-user-state"] {
            try broker.createTopic(t, partitions: 4)
        }
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
        serve.arguments = ["serve", "--pipelines", pipelines.path, "--port", "0", "--log-level", "warning"]
        serve.currentDirectoryURL = dir
        serve.environment = ProcessInfo.processInfo.environment.merging(
            ["WEIR_KAFKA_BOOTSTRAP_SERVERS": bs, "WEIR_INSTANCE_ID": "serve-test"]) { $1 }
        let out = Pipe(), err = Pipe()
        serve.standardOutput = out
        serve.standardError = err
        try serve.run()
        defer { if serve.isRunning { serve.interrupt(); serve.waitUntilExit() } }

        // The first line says where the API listens.
        var firstLine = ""
        let deadline = Date().addingTimeInterval(30)
        while !firstLine.contains("\n") && Date() < deadline && serve.isRunning {
            firstLine += String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        }
        let base = try XCTUnwrap(firstLine.range(of: #"http://[0-9.]+:[0-9]+"#, options: .regularExpression).map { String(firstLine[$0]) },
                                 "no URL in \(firstLine)")
        XCTAssertTrue(firstLine.contains("1 job(s): clicks-per-user ("), firstLine)

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

        // SIGTERM: the tasks checkpoint and leave, the process exits 0.
        serve.terminate()
        let exitDeadline = Date().addingTimeInterval(30)
        while serve.isRunning && Date() < exitDeadline { try await Task.sleep(for: .milliseconds(50)) }
        XCTAssertFalse(serve.isRunning, "exited within 30 s of SIGTERM")
        serve.waitUntilExit()
        XCTAssertEqual(serve.terminationStatus, 0)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(stderr.contains("broken.yaml not started"), stderr)
    }
}
