import Foundation
import XCTest
import WeirFormats

/// `weir broker` and `weir dev` with the embedded schema registry, run as the real binary.
final class RegistryCommandLineTests: XCTestCase {
    func testDevRunsTheAvroExample() throws {
        let r = try runWeir(["dev", "pipelines/avro-clicks-to-json.yaml", "--generate", "3000"], timeout: 120)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("schema registry at http://127.0.0.1:"), r.out)
        XCTAssertTrue(r.out.contains("3000 processed"), r.out)
        XCTAssertTrue(r.out.contains("\"amount_cents\""), r.out)
        let v = try runWeir(["validate", "pipelines/avro-clicks-to-json.yaml"])
        XCTAssertEqual(v.status, 0, v.err)
    }

    /// The windowed example on Avro input (same sample clicks, Confluent-framed
    /// Avro) gives exactly the JSON run's counts. Without `keyedBy` the Avro run
    /// also goes through the repartition topic (its first stage reads Avro and
    /// writes JSON): the results must not change.
    func testWindowedPipelineOnAvroInputMatchesJSON() throws {
        let json = try String(contentsOf: repoRoot.appendingPathComponent("pipelines/clicks-per-user.yaml"), encoding: .utf8)
        let avro = json.replacingOccurrences(of: "name: clicks-per-user", with: "name: avro-clicks-per-user")
            .replacingOccurrences(of: "\n    keyedBy: [user_id]", with: "")
            .replacingOccurrences(of: "\n  format: json\ntime:", with: "\n  format: avro\n  required: [user_id]\ntime:")
        XCTAssertTrue(avro.contains("format: avro") && !avro.contains("keyedBy"), "the example changed shape; update this test")
        let path = NSTemporaryDirectory() + "avro-window-\(UUID().uuidString).yaml"
        try avro.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        func summary(_ file: String) throws -> String {
            let r = try runWeir(["dev", file, "--generate", "3000", "--sample", "0"], timeout: 120)
            XCTAssertEqual(r.status, 0, r.err)
            let line = r.out.split(separator: "\n").last { $0.hasPrefix("weir dev: 3000 processed") }.map(String.init) ?? "none: \(r.out)"
            // The commit count depends on timing, not on the records: compare the rest.
            return line.components(separatedBy: " · ").filter { !$0.hasSuffix("commits") }.joined(separator: " · ")
        }
        let fromJSON = try summary("pipelines/clicks-per-user.yaml")
        XCTAssertTrue(fromJSON.contains("written to output-topic"), fromJSON)
        XCTAssertEqual(try summary(path), fromJSON)
    }

    /// The windowed example writing Avro: `weir validate` accepts it, and
    /// `weir dev` writes exactly the JSON example's rows (same counts), shown
    /// decoded through the registry.
    func testWindowedAvroExampleValidatesAndMatchesJSON() throws {
        let v = try runWeir(["validate", "pipelines/clicks-per-user-avro.yaml"])
        XCTAssertEqual(v.status, 0, v.err)
        XCTAssertTrue(v.out.contains("keyed windows [user_id, window_start, window_end, clicks, amount, min_amount, max_amount] -> output-topic"), v.out)
        func run(_ file: String) throws -> (summary: String, out: String) {
            let r = try runWeir(["dev", file, "--generate", "3000"], timeout: 120)
            XCTAssertEqual(r.status, 0, r.err)
            let line = r.out.split(separator: "\n").last { $0.hasPrefix("weir dev: 3000 processed") }.map(String.init) ?? "none: \(r.out)"
            // The commit count depends on timing, not on the records: compare the rest.
            return (line.components(separatedBy: " · ").filter { !$0.hasSuffix("commits") }.joined(separator: " · "), r.out)
        }
        let json = try run("pipelines/clicks-per-user.yaml")
        let avro = try run("pipelines/clicks-per-user-avro.yaml")
        XCTAssertTrue(json.summary.contains("written to output-topic"), json.summary)
        XCTAssertEqual(avro.summary, json.summary)
        let rows = avro.out.split(separator: "\n").filter { $0.hasPrefix("  u") }
        XCTAssertEqual(rows.count, 5, avro.out)
        for r in rows {
            guard let brace = r.firstIndex(of: "{"), let o = try? JSONValue.parse(String(r[brace...])) else { XCTFail("not JSON: \(r)"); continue }
            guard case .int(let start)? = o["window_start"], case .int(let end)? = o["window_end"] else { XCTFail("\(r)"); continue }
            XCTAssertEqual(end - start, 60_000)
            XCTAssertNotNil(o["user_id"]?.stringValue, "\(r)")
            guard case .int(let clicks)? = o["clicks"] else { XCTFail("\(r)"); continue }
            XCTAssertGreaterThan(clicks, 0)
        }
    }

    /// The second stdout line is the registry's URL; its schemas survive a restart.
    func testBrokerPrintsRegistryURLAndKeepsSchemasAcrossRestarts() async throws {
        let dir = NSTemporaryDirectory() + "weir-broker-registry-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let schema = #"{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}"#

        var (process, lines) = try startBroker(dir)
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[1].hasPrefix("http://127.0.0.1:"), "\(lines)")
        var client = try SchemaRegistryClient(config: SchemaRegistryConfig(url: lines[1]))
        let id = try await client.register(subject: "r-value", schema: schema)
        try await client.shutdown()
        process.terminate(); process.waitUntilExit()

        (process, lines) = try startBroker(dir)
        client = try SchemaRegistryClient(config: SchemaRegistryConfig(url: lines[1]))
        let fetched = try await client.schema(id: id)
        XCTAssertEqual(fetched.schema, schema)
        let latest = try await client.latest(subject: "r-value")
        XCTAssertEqual(latest.id, id)
        try await client.shutdown()
        process.terminate(); process.waitUntilExit()
    }

    /// `weir run` of an Avro-output pipeline that names no registry uses the
    /// one in the service config (`schemaRegistry` in --config): the output
    /// schema is registered there, and the rows are framed with its id.
    func testRunUsesTheServiceConfigsRegistry() throws {
        let dir = try temporaryDirectory("config-registry", self)
        let topics = ["input-topic:2", "output-topic:2", "clicks-dlq:1", "clicks-late:1"].flatMap { ["--topic", $0] }
        let (broker, lines) = try startBroker(dir.appendingPathComponent("registry").path, extra: topics)
        defer { broker.terminate(); broker.waitUntilExit() }
        guard lines.count == 2 else { return XCTFail("weir broker printed \(lines)") }
        let (bootstrap, registry) = (lines[0], lines[1])
        let gen = try runWeir(["generate", "--bootstrap", bootstrap, "--events", "300", "--users", "20"], timeout: 60)
        XCTAssertEqual(gen.status, 0, gen.err)
        let config = dir.appendingPathComponent("weir.yaml")
        try "kafka: {bootstrapServers: \"\(bootstrap)\"}\nschemaRegistry: {url: \"\(registry)\"}\ninstanceID: cfg\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let run = try runProcess(URL(fileURLWithPath: "/usr/bin/env"),
                                 ["-u", "WEIR_SCHEMA_REGISTRY_URL", "-u", "WEIR_KAFKA_BOOTSTRAP_SERVERS", try weirBinary().path, "run",
                                  "pipelines/clicks-per-user-avro.yaml", "--config", config.path, "--drain-idle-ms", "4000",
                                  "--checkpoint-interval", "500", "--log-level", "warning"], timeout: 120)
        XCTAssertEqual(run.status, 0, run.err)
        let subjects = try runProcess(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "\(registry)/subjects"], timeout: 30)
        XCTAssertTrue(subjects.out.contains("\"output-topic-value\""), subjects.out)
        let out = try runWeir(["consume", "--bootstrap", bootstrap, "--topic", "output-topic", "--idle-ms", "3000"], timeout: 60)
        XCTAssertEqual(out.status, 0, out.err)
        XCTAssertFalse(out.out.isEmpty, "rows were written")
    }

    private func startBroker(_ dir: String, extra: [String] = []) throws -> (Process, [String]) {
        let p = Process()
        p.executableURL = try weirBinary()
        p.arguments = ["broker", "--registry-dir", dir] + extra
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        var text = ""
        let deadline = Date().addingTimeInterval(30)
        while text.filter({ $0 == "\n" }).count < 2 && Date() < deadline {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        return (p, text.split(separator: "\n").map(String.init))
    }
}
