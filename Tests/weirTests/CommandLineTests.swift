import Foundation
import XCTest

/// Runs the real `weir` binary, as a user would.
final class CommandLineTests: XCTestCase {
    func run(_ args: [String], timeout: TimeInterval = 120) throws -> (status: Int32, out: String, err: String) {
        try runWeir(args, timeout: timeout)
    }

    /// `weir --version` names Weir's version and the librdkafka it runs on (as the REST API's /overview does).
    func testVersion() throws {
        let r = try run(["--version"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertNotNil(r.out.range(of: #"^weir \d+\.\d+\.\d+ \(librdkafka \d+\.\d+\.\d+\)\n$"#, options: .regularExpression), r.out)
    }

    func testValidateAcceptsTheExamples() throws {
        for file in ["pipelines/clean-clicks.yaml", "pipelines/bench-filter-map.yaml",
                     "pipelines/clicks-per-user.yaml", "pipelines/bench-windows-file.yaml", "pipelines/clicks-per-user-avro.yaml"] {
            let r = try run(["validate", file])
            XCTAssertEqual(r.status, 0, "\(file): \(r.err)")
            XCTAssertTrue(r.out.contains("ok"), r.out)
        }
    }

    /// clicks-per-user's source declares keyedBy: no warning, no repartition.
    /// Without it, validate says (info) that and why it repartitions.
    func testValidateSaysWhenKeyByRepartitions() throws {
        var r = try run(["validate", "pipelines/clicks-per-user.yaml"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("input-topic -> keyed windows [user_id, window_start, window_end, clicks, amount"), r.out)
        XCTAssertEqual(r.err, "", "no warning, no info line")

        let yaml = try String(contentsOf: repoRoot.appendingPathComponent("pipelines/clicks-per-user.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "\n    keyedBy: [user_id]", with: "")
        XCTAssertFalse(yaml.contains("keyedBy"), "the example changed shape; update this test")
        let path = NSTemporaryDirectory() + "unkeyed-\(UUID().uuidString).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        r = try run(["validate", path])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("input-topic -> repartition by [user_id] through clicks-per-user-window-repartition -> keyed windows [user_id,"), r.out)
        XCTAssertTrue(r.err.contains("\(path):17:5: info: steps[1].keyBy: repartitions by user_id through the internal topic 'clicks-per-user-window-repartition'"), r.err)
        XCTAssertTrue(r.err.contains("keyedBy: [user_id]"), "the hint: \(r.err)")
        XCTAssertFalse(r.err.contains("warning"), r.err)
    }

    func testValidateRefusesABadFileWithLineAndColumn() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).yaml")
        try """
        name: bad
        source:
          kafka:
            topic: input-topic
          format: json
        steps:
          - filter: "amount >> 3"
        sink:
          kafka:
            topic: out
        """.write(to: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: path) }
        let r = try run(["validate", path.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("\(path.path):7:"), "line 7 named: \(r.err)")
        XCTAssertTrue(r.err.contains("steps[0].filter"), "field named: \(r.err)")
    }

    /// The README's first command: windows per user on the embedded broker. The
    /// generated events span seconds, so the watermark never passes a minute's
    /// end: every row written comes from the flush at the end of the input.
    func testDevRunsClicksPerUserAndFlushesWindows() throws {
        let r = try run(["dev", "pipelines/clicks-per-user.yaml", "--generate", "3000"], timeout: 120)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("3000 processed"), r.out)
        XCTAssertTrue(r.out.contains("sample of output-topic:"), r.out)
        let written = r.out.split(separator: "\n").first { $0.hasPrefix("weir dev: 3000 processed") }
            .flatMap { $0.split(separator: "·").dropFirst().first }
            .flatMap { Int($0.trimmingCharacters(in: .whitespaces).split(separator: " ")[0]) } ?? 0
        XCTAssertGreaterThan(written, 1000, "one row per (user, minute) of the clicks: \(r.out)")
        let rows = r.out.split(separator: "\n").filter { $0.contains("\"window_start\":") }
        XCTAssertEqual(rows.count, 5, r.out)
        for row in rows {
            // `key value`: the key is the user, the value a window row
            let parts = row.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
            guard parts.count == 2,
                  let obj = try JSONSerialization.jsonObject(with: Data(parts[1].utf8)) as? [String: Any] else {
                XCTFail("not a keyed JSON row: \(row)"); continue
            }
            XCTAssertEqual(obj["user_id"] as? String, String(parts[0]))
            let start = try XCTUnwrap(obj["window_start"] as? Int), end = try XCTUnwrap(obj["window_end"] as? Int)
            XCTAssertEqual(end - start, 60_000)
            XCTAssertEqual(start % 60_000, 0)
            XCTAssertGreaterThanOrEqual(obj["clicks"] as? Int ?? 0, 1)
            XCTAssertNotNil(obj["amount"] as? Double)
        }
    }

    func testDevGeneratesProcessesAndExits() throws {
        let r = try run(["dev", "pipelines/clean-clicks.yaml", "--generate", "3000"], timeout: 120)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("3000 processed"), r.out)
        XCTAssertTrue(r.out.contains("sample of output-topic:"), r.out)
        // the sample shows real output records: cleaned clicks with the computed fields
        XCTAssertTrue(r.out.contains("\"amount_cents\""), r.out)
    }

    /// `weir broker --port P` in its own process; other `weir` processes reach it
    /// through the fixed port: generate 500 events, read them back.
    func testBrokerOnAFixedPortServesOtherProcesses() throws {
        let port = 20_000 + Int(getpid() % 10_000)
        let broker = Process()
        broker.executableURL = try weirBinary()
        broker.arguments = ["broker", "--port", "\(port)", "--topic", "t:3"]
        let out = Pipe()
        broker.standardOutput = out
        try broker.run()
        defer { broker.terminate(); broker.waitUntilExit() }
        // Line 1: bootstrap servers; line 2 (issue 3): the schema registry's URL.
        let first = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertEqual(first.trimmingCharacters(in: .whitespacesAndNewlines), "127.0.0.1:\(port)")
        let gen = try run(["generate", "--bootstrap", "127.0.0.1:\(port)", "--topic", "t", "--events", "500"])
        XCTAssertEqual(gen.status, 0, gen.err)
        let read = try run(["consume", "--bootstrap", "127.0.0.1:\(port)", "--topic", "t", "--idle-ms", "1500"])
        XCTAssertEqual(read.status, 0, read.err)
        XCTAssertEqual(read.out.split(separator: "\n").count, 500)
    }

    /// Issue 17: the embedded broker keeps at most 5 MiB per partition and drops the
    /// oldest records beyond that. `weir generate` and `weir bench --bootstrap` stop at
    /// once, naming the limit and the fix, instead of writing what would be lost and
    /// waiting for it; `weir bench` and `weir dev` create enough partitions themselves.
    func testCommandsRefuseWhatTheEmbeddedBrokerCannotHold() throws {
        let port = 21_000 + Int(getpid() % 9_000)
        let broker = Process()
        broker.executableURL = try weirBinary()
        broker.arguments = ["broker", "--port", "\(port)", "--topic", "small:4", "--topic", "bench-in:4"]
        let out = Pipe()
        broker.standardOutput = out
        try broker.run()
        defer { broker.terminate(); broker.waitUntilExit() }
        _ = out.fileHandleForReading.availableData
        let bs = "127.0.0.1:\(port)"
        let started = Date()
        let gen = try run(["generate", "--bootstrap", bs, "--topic", "small", "--events", "200000"])
        XCTAssertEqual(gen.status, 1, gen.out + gen.err)
        XCTAssertTrue(gen.err.contains("need at least 11 partitions of small on the embedded broker, which keeps at most 5 MiB"), gen.err)
        XCTAssertTrue(gen.err.contains("weir broker --topic small:11"), gen.err)
        let bench = try run(["bench", "pipelines/bench-filter-map.yaml", "--bootstrap", bs, "--events", "1000000"])
        XCTAssertEqual(bench.status, 1, bench.out + bench.err)
        XCTAssertTrue(bench.err.contains("of bench-in on the embedded broker"), bench.err)
        XCTAssertTrue(bench.err.contains("bench-in has 4"), bench.err)
        XCTAssertFalse(bench.out.contains("FILL"), "nothing was written: \(bench.out)")
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "refused at once, not after a stall")
        // What fits is written.
        let fits = try run(["generate", "--bootstrap", bs, "--topic", "small", "--events", "20000"])
        XCTAssertEqual(fits.status, 0, fits.err)
        // In-process, too few partitions given by hand are refused before anything starts.
        let dev = try run(["dev", "pipelines/clean-clicks.yaml", "--generate", "300000", "--partitions", "4"])
        XCTAssertEqual(dev.status, 1, dev.out + dev.err)
        XCTAssertTrue(dev.err.contains("Leave out --partitions, give --partitions 17 or more"), dev.err)
    }

    // MARK: file pipelines

    /// A small input of the Flink workload's shape, and its rows counted independently.
    func workload(_ dir: URL, lines: Int = 2000) throws -> (input: URL, distinct: Int) {
        var text = "", pairs = Set<String>()
        for i in 0..<lines {
            let user = "u\(i * 7 % 13)", ts = 1_795_600_800_000 + i * 97 - (i * 31 % 1500)
            text += "{\"user_id\":\"\(user)\",\"amount\":\(i % 500).\(String(format: "%02d", i % 100)),\"ts\":\(ts)}\n"
            pairs.insert("\(user)@\(ts / 60_000)")
        }
        let input = dir.appendingPathComponent("events.jsonl")
        try text.write(to: input, atomically: true, encoding: .utf8)
        return (input, pairs.count)
    }

    func testRunFilePipelineToTheEndOfItsInput() throws {
        let dir = try temporaryDirectory("run-file", self)
        let (input, distinct) = try workload(dir)
        let output = dir.appendingPathComponent("out.jsonl")
        let r = try run(["run", "pipelines/bench-windows-file.yaml", "--input", input.path, "--output", output.path])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("weir run: bench-windows-file: 2000 records from \(input.path)"), r.err)
        XCTAssertTrue(r.err.contains("\(distinct) written to \(output.path) · 0 filtered · 0 dead-lettered · 0 late"), r.err)
        let rows = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.count, distinct)
        var counted = 0
        for row in rows {
            let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(row.utf8)) as? [String: Any])
            XCTAssertEqual(Set(obj.keys), ["user_id", "window_start", "window_end", "cnt", "total", "min_amount", "max_amount"])
            counted += obj["cnt"] as? Int ?? 0
        }
        XCTAssertEqual(counted, 2000, "every record in exactly one window")
    }

    func testRunReadsStdinAndWritesStdout() throws {
        let dir = try temporaryDirectory("run-stdio", self)
        let (input, distinct) = try workload(dir, lines: 500)
        let r = try runWeir(["run", "pipelines/bench-windows-file.yaml", "--input", "-", "--output", "-"], stdin: input)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out.split(separator: "\n").count, distinct)
        XCTAssertTrue(r.err.contains("500 records from stdin"), r.err)
        XCTAssertTrue(r.err.contains("written to stdout"), r.err)
    }

    func testRunRefusesAMissingInputWithoutTouchingTheOutput() throws {
        let dir = try temporaryDirectory("run-missing", self)
        let output = dir.appendingPathComponent("out.jsonl")
        try "keep me\n".write(to: output, atomically: true, encoding: .utf8)
        let r = try run(["run", "pipelines/bench-windows-file.yaml", "--input", dir.appendingPathComponent("nope.jsonl").path,
                         "--output", output.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("cannot open \(dir.appendingPathComponent("nope.jsonl").path): No such file or directory"), r.err)
        XCTAssertEqual(try String(contentsOf: output, encoding: .utf8), "keep me\n")
    }

    func testRunRefusesFileOverridesForAKafkaPipeline() throws {
        let r = try run(["run", "pipelines/clicks-per-user.yaml", "--input", "x.jsonl"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("--input and --output are for pipelines with a file source"), r.err)
    }
}
