import Foundation
import XCTest
@testable import WeirEngine
import WeirPipelines

/// A file job that reads and decodes on a second thread (`DecodeAhead`) must
/// write exactly what the one-thread loop writes: the same output, dead
/// letters (with file and line), late records and timed-out matches, and the
/// same counts, over inputs that span many hand-over batches.
final class FileJobDecodeAheadTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-decode-ahead-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // Three inputs of different lengths (one partition each; they end at different times),
        // with blank lines, malformed JSON, records without a timestamp (refused on the task
        // thread), filtered records and records late for every window.
        var rng = SystemRandomNumberGenerator()
        for (f, count) in [(0, 5_000), (1, 1_700), (2, 40)] {
            var lines: [String] = []
            var ts = 1_000_000 + f * 7
            for i in 0..<count {
                ts += Int.random(in: 0...40, using: &rng)
                let user = "u\(Int.random(in: 0..<300, using: &rng))"
                switch i % 97 {
                case 13: lines.append("")
                case 29: lines.append("{\"user\":\"\(user)\",\"amount\":")                  // malformed
                case 41: lines.append("{\"user\":\"\(user)\",\"amount\":2.5}")               // no timestamp
                case 53: lines.append("{\"user\":\"\(user)\",\"amount\":-1,\"ts\":\(ts)}")   // filtered
                case 71: lines.append("{\"user\":\"\(user)\",\"amount\":3,\"ts\":\(ts - 60_000)}")   // late
                default:
                    let amount = Double(Int.random(in: 0..<100_000, using: &rng)) / 100
                    lines.append("{\"user\":\"\(user)\",\"amount\":\(amount),\"ts\":\(ts),\"e\":\"\(["view", "cart", "buy"][i % 3])\"}")
                }
            }
            try (lines.joined(separator: "\n") + "\n").write(to: input(f), atomically: true, encoding: .utf8)
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    private func input(_ f: Int) -> URL { dir.appendingPathComponent("in\(f).jsonl") }

    /// Runs `steps` both ways and compares every file each run wrote.
    private func assertSameBothWays(_ steps: String, extra: String = "", file: StaticString = #filePath, line: UInt = #line) throws
        -> FileJob.Summary
    {
        var results: [(FileJob.Summary, [String: String])] = []
        for ahead in [false, true] {
            let out = dir.appendingPathComponent(ahead ? "two" : "one")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let yaml = """
                name: t
                source: {file: {paths: [\((0..<3).map { input($0).path }.joined(separator: ", "))]}}
                sink: {file: {path: \(out.path)/out.jsonl}}
                time: {eventTime: {field: ts}, watermark: {maxOutOfOrderness: 200ms}}
                deadLetter: {file: \(out.path)/dead.jsonl}
                \(extra)
                steps:
                  - filter: "amount >= 0"
                \(steps)
                """.replacingOccurrences(of: "OUT/", with: out.path + "/")
            let p = try XCTUnwrap(load(yaml, file: file, line: line))
            let job = try FileJob(spec: p.job, decodeAhead: ahead)
            let summary = try job.runBlocking()
            XCTAssertEqual(summary.decodedAhead, ahead, file: file, line: line)
            var files: [String: String] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: out.path) {
                files[name] = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
            }
            results.append((summary, files))
        }
        let (one, two) = (results[0], results[1])
        XCTAssertEqual(one.1.keys.sorted(), two.1.keys.sorted(), file: file, line: line)
        for (name, text) in one.1 {
            XCTAssertTrue(text == two.1[name], "\(name) differs between one thread and decoding ahead", file: file, line: line)
        }
        var a = one.0, b = two.0
        a.seconds = 0; b.seconds = 0; a.decodedAhead = false; b.decodedAhead = false
        XCTAssertEqual(a, b, file: file, line: line)
        return one.0
    }

    func testWindowsDeadLettersAndLateDataAreTheSameBothWays() throws {
        let s = try assertSameBothWays("""
              - keyBy: [user]
              - window: {tumbling: 1s}
              - aggregate: {n: count(), total: sum(amount), top: max(amount)}
            """, extra: "lateData: {file: OUT/late.jsonl}")
        let blank = [5_000, 1_700, 40].reduce(0) { n, count in n + (0..<count).filter { $0 % 97 == 13 }.count }
        XCTAssertEqual(s.records, 6_740 - blank)   // blank lines are not records
        XCTAssertGreaterThan(s.emitted, 1_000)
        XCTAssertGreaterThan(s.filtered, 50)
        XCTAssertGreaterThan(s.late, 50)
        XCTAssertGreaterThan(s.deadLettered, 100)   // malformed and timestamp-less lines
        let dead = try String(contentsOf: dir.appendingPathComponent("two/dead.jsonl"), encoding: .utf8)
        XCTAssertTrue(dead.contains("\"file\":\"\(input(1).path)\",\"line\":30"), "a dead letter names its file and line")
    }

    func testReduceIsTheSameBothWays() throws {
        let s = try assertSameBothWays("""
              - keyBy: [user]
              - reduce: {n: count(), total: sum(amount)}
            """)
        XCTAssertGreaterThan(s.emitted, 5_000)
    }

    func testPatternsAndTimedOutMatchesAreTheSameBothWays() throws {
        let s = try assertSameBothWays("""
              - keyBy: [user]
              - pattern:
                  stages:
                    - {name: view, where: "e == 'view'"}
                    - {name: cart, where: "e == 'cart'"}
                  within: 2s
                  measures: {viewed: first(view.ts), carted: first(cart.ts)}
                  timedOut: {file: OUT/timedout.jsonl}
            """)
        XCTAssertGreaterThan(s.emitted, 100)
        XCTAssertNotNil(s.pattern)
    }

    /// A write failing mid-run (dead letters to /dev/full: ENOSPC once the
    /// writer's 1 MiB buffer fills) fails the job with that error both ways,
    /// while the reader thread holds batches not yet taken; it ends cleanly.
    func testAFailedWriteMidRunFailsTheJobBothWays() throws {
        let bad = dir.appendingPathComponent("bad.jsonl")
        let line = "not json " + String(repeating: "x", count: 100)
        try (Array(repeating: line, count: 30_000).joined(separator: "\n") + "\n").write(to: bad, atomically: true, encoding: .utf8)
        var messages: [String] = []
        for ahead in [false, true] {
            let yaml = """
                name: t
                source: {file: {path: \(bad.path)}}
                sink: {file: {path: \(dir.path)/out-\(ahead).jsonl}}
                time: {eventTime: {field: ts}}
                deadLetter: {file: /dev/full}
                steps:
                  - keyBy: [user]
                  - reduce: {n: count()}
                """
            let p = try XCTUnwrap(load(yaml))
            let job = try FileJob(spec: p.job, decodeAhead: ahead)
            XCTAssertThrowsError(try job.runBlocking()) { messages.append("\($0)") }
        }
        XCTAssertEqual(messages.count, 2)
        XCTAssertEqual(Set(messages).count, 1, "\(messages)")
        XCTAssertTrue(messages.first?.contains("/dev/full") == true, "\(messages)")
    }

    /// A stateless pipeline has nothing to overlap with decoding: it keeps one thread.
    func testAStatelessPipelineKeepsOneThread() throws {
        let yaml = """
            name: t
            source: {file: {path: \(input(2).path)}}
            sink: {file: {path: \(dir.path)/stateless.jsonl}}
            steps:
              - filter: "amount >= 0"
            """
        let p = try XCTUnwrap(load(yaml))
        let job = try FileJob(spec: p.job, decodeAhead: true)
        XCTAssertFalse(job.decodeAhead)
        XCTAssertFalse(try job.runBlocking().decodedAhead)
    }
}
