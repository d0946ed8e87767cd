import Foundation
import XCTest

/// `weir run` on generated file-source window pipelines against the
/// independent Python reference (`reference/pipeline_reference.py`): three
/// files as partitions (one short, holding the watermark back until it ends),
/// out-of-order, late (allowed and too late) and time-less records, malformed
/// lines, two key fields (one an expression), null amounts, all three window
/// kinds with merging sessions. Rows, late records and dead letters must match
/// exactly; sums, minima and maxima to the cent.
final class WindowPipelineReferenceTests: XCTestCase {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("reference/pipeline_reference.py").path

    func check(_ kind: String, seeds: ClosedRange<Int>) throws {
        for seed in seeds {
            let dir = try temporaryDirectory("ref-\(kind)-\(seed)", self)
            let gen = try runPython([Self.script, "generate", String(seed), kind, dir.path])
            XCTAssertEqual(gen.status, 0, gen.err)
            let run = try runWeir(["run", dir.appendingPathComponent("pipeline.yaml").path])
            XCTAssertEqual(run.status, 0, run.err)
            XCTAssertTrue(run.err.contains("weir run: ref-\(kind): "), run.err)
            let check = try runPython([Self.script, "check", dir.path])
            print(check.out.trimmingCharacters(in: .whitespacesAndNewlines))
            XCTAssertEqual(check.status, 0, "\(kind) seed \(seed):\n\(check.out)\(check.err)")
            XCTAssertTrue(check.out.contains(": PASS"), check.out)
        }
    }

    func testTumblingMatchesReference() throws { try check("tumbling", seeds: 1...2) }
    func testSlidingMatchesReference() throws { try check("sliding", seeds: 1...2) }
    func testSessionMatchesReference() throws { try check("session", seeds: 1...2) }
}
