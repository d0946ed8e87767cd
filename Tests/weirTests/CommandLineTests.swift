import Foundation
import XCTest

/// Runs the real `weir` binary, as a user would.
final class CommandLineTests: XCTestCase {
    var weir: URL {
        get throws {
            let candidates = [
                URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("weir"),
                Bundle.main.bundleURL.appendingPathComponent("weir"),
                repoRoot.appendingPathComponent(".build/debug/weir"),
            ]
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
                throw NSError(domain: "weir", code: 1, userInfo: [NSLocalizedDescriptionKey: "weir binary not found: build it first (scripts/test.sh does)"])
            }
            return found
        }
    }

    func run(_ args: [String], timeout: TimeInterval = 120) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = try weir
        p.arguments = args
        p.currentDirectoryURL = repoRoot
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        // Drain both pipes while it runs: a full pipe would block the child.
        var outData = Data(), errData = Data()
        let group = DispatchGroup()
        for (pipe, isOut) in [(out, true), (err, false)] {
            group.enter()
            DispatchQueue.global().async {
                let d = pipe.fileHandleForReading.readDataToEndOfFile()
                if isOut { outData = d } else { errData = d }
                group.leave()
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning { p.terminate(); XCTFail("weir \(args) timed out") }
        p.waitUntilExit()
        group.wait()
        return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    func testValidateAcceptsTheExamples() throws {
        for file in ["pipelines/clean-clicks.yaml", "pipelines/bench-filter-map.yaml"] {
            let r = try run(["validate", file])
            XCTAssertEqual(r.status, 0, "\(file): \(r.err)")
            XCTAssertTrue(r.out.contains("ok"), r.out)
        }
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
        broker.executableURL = try weir
        broker.arguments = ["broker", "--port", "\(port)", "--topic", "t:3"]
        let out = Pipe()
        broker.standardOutput = out
        try broker.run()
        defer { broker.terminate(); broker.waitUntilExit() }
        let first = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        XCTAssertEqual(first.trimmingCharacters(in: .whitespacesAndNewlines), "127.0.0.1:\(port)")
        let gen = try run(["generate", "--bootstrap", "127.0.0.1:\(port)", "--topic", "t", "--events", "500"])
        XCTAssertEqual(gen.status, 0, gen.err)
        let read = try run(["consume", "--bootstrap", "127.0.0.1:\(port)", "--topic", "t", "--idle-ms", "1500"])
        XCTAssertEqual(read.status, 0, read.err)
        XCTAssertEqual(read.out.split(separator: "\n").count, 500)
    }
}
