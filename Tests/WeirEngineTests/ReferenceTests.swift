import XCTest
import Foundation
import WeirFormats
@testable import WeirEngine

/// Weir's tracker + window operator against the independent Python reference
/// (`reference/window_reference.py`): out-of-order and late records, an idle
/// partition, several keys, all three window kinds. Every emitted row and
/// every late record must match, sums exact to the cent (printed shortest
/// round-trip, compared as text).
final class ReferenceTests: XCTestCase {
    struct Out: OperatorOutput {
        var step = 0
        var lines: [String] = []
        mutating func emit(_ row: Row, kind: EmitKind, partition: Int) {
            func num(_ c: Cell) -> String {
                switch c {
                case .double(let d): return String(d)
                case .int(let i): return "int:\(i)"       // sums of 2-decimal amounts must be doubles
                default: return "?"
                }
            }
            guard case .string(let k) = row.cells[0], case .int(let s) = row.cells[1], case .int(let e) = row.cells[2],
                  case .int(let n) = row.cells[3] else { lines.append("bad row"); return }
            lines.append("E \(step) \(kind == .insert ? "insert" : "update") \(row.string(k)) \(s) \(e) \(n) "
                         + "\(num(row.cells[4])) \(num(row.cells[5])) \(num(row.cells[6]))")
        }
        mutating func late(_ row: Row, timestampMs: Int64, partition: Int) {
            guard case .string(let k) = row.cells[0] else { lines.append("bad late"); return }
            lines.append("L \(step) \(partition) \(row.string(k)) \(timestampMs)")
        }
    }

    func check(_ kind: String, _ window: WindowSpec, seed: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-ref-\(getpid())-\(kind)-\(seed)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = testDirectory().appendingPathComponent("reference/window_reference.py").path
        let scenario = dir.appendingPathComponent("scenario.txt").path, expected = dir.appendingPathComponent("expected.txt").path
        let (code, summary) = try runCommand(["python3", script, String(seed), kind, scenario, expected])
        XCTAssertEqual(code, 0, summary)
        print(summary.trimmingCharacters(in: .whitespacesAndNewlines))

        let op = try WindowOperator(.init(keyFields: [.init(name: "key", slot: 0)], window: window, allowedLatenessMs: 500,
                                          aggregates: [.count(as: "n"), .sum(1, as: "sum"), .min(1, as: "min"), .max(1, as: "max")]))
        var tracker = WatermarkTracker(config: .init(maxOutOfOrdernessMs: 300, idleTimeoutMs: 1000))
        var out = Out()
        var row = Row(slotCount: 2)
        let lines = try String(contentsOfFile: scenario, encoding: .utf8).split(separator: "\n")
        for (step, line) in lines.enumerated() {
            out.step = step
            let f = line.split(separator: " ")
            if f[0] == "T" {
                op.onWatermark(tracker.advance(nowMs: Int64(f[1])!), output: &out)
                continue
            }
            let p = Int(f[1])!, ts = Int64(f[3])!, now = Int64(f[5])!
            row.reset()
            row.cells[0] = .string(row.store(Array(f[2].utf8)))
            row.cells[1] = .double(Double(f[4])!)
            tracker.observe(partition: p, eventTimeMs: ts, nowMs: now)
            try op.process(row: &row, timestampMs: ts, partition: p, output: &out)
        }
        out.step = lines.count
        op.flush(output: &out)

        let want = try String(contentsOfFile: expected, encoding: .utf8).split(separator: "\n").map(String.init).sorted()
        let got = out.lines.sorted()
        XCTAssertGreaterThan(want.count, 100)
        XCTAssertTrue(want.contains { $0.hasPrefix("L ") }, "scenario has late data")
        XCTAssertTrue(want.contains { $0.contains(" update ") }, "scenario has late-but-allowed updates")
        XCTAssertEqual(got.count, want.count, kind)
        let missing = Set(want).subtracting(got), extra = Set(got).subtracting(want)
        XCTAssertTrue(missing.isEmpty && extra.isEmpty,
                      "\(kind): missing \(missing.sorted().prefix(5)) extra \(extra.sorted().prefix(5))")
        XCTAssertEqual(op.lateRecordCount, Int64(want.filter { $0.hasPrefix("L ") }.count))
    }

    func testTumblingMatchesReference() throws {
        for seed in 1...3 { try check("tumbling", .tumbling(sizeMs: 1000), seed: seed) }
    }

    func testSlidingMatchesReference() throws {
        for seed in 1...3 { try check("sliding", .sliding(sizeMs: 1500, slideMs: 500), seed: seed) }
    }

    func testSessionMatchesReference() throws {
        for seed in 1...3 { try check("session", .session(gapMs: 400), seed: seed) }
    }
}
