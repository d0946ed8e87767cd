import Foundation
import XCTest

/// The Flink comparison's workload (`shared/bench/flink`, gen.py 1,000,000
/// events, seed 42) through `weir run pipelines/bench-windows-file.yaml`:
/// exactly 486,867 rows, each checked by ref_check.py's own comparison and
/// exactly (sums to the cent) against its integer-cent reference.
final class FlinkWorkloadEndToEndTests: XCTestCase {
    /// shared/bench/flink: $WEIR_FLINK_BENCH_DIR, else `../shared` beside the repository.
    static func benchDir() -> URL? {
        var candidates: [URL] = []
        if let d = ProcessInfo.processInfo.environment["WEIR_FLINK_BENCH_DIR"] { candidates.append(URL(fileURLWithPath: d)) }
        candidates.append(repoRoot.deletingLastPathComponent().appendingPathComponent("shared/bench/flink"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("ref_check.py").path) }
    }

    func testOneMillionEventsMatchRefCheck() throws {
        guard let bench = Self.benchDir() else {
            return XCTFail("shared/bench/flink not found beside the repository (set WEIR_FLINK_BENCH_DIR)")
        }
        let dir = try temporaryDirectory("flink-workload", self)
        // shared/ may be read-only: work on copies
        for f in ["gen.py", "ref_check.py"] {
            try FileManager.default.copyItem(at: bench.appendingPathComponent(f), to: dir.appendingPathComponent(f))
        }
        let events = dir.appendingPathComponent("events.jsonl").path
        let gen = try runPython([dir.appendingPathComponent("gen.py").path, "1000000", events, "--seed", "42"])
        XCTAssertEqual(gen.status, 0, gen.err)

        let out = dir.appendingPathComponent("weir.jsonl").path
        let t0 = Date()
        let run = try runWeir(["run", "pipelines/bench-windows-file.yaml", "--input", events, "--output", out], timeout: 300)
        XCTAssertEqual(run.status, 0, run.err)
        print("weir run (this build) took \(String(format: "%.1f", Date().timeIntervalSince(t0))) s: \(run.err)")
        XCTAssertTrue(run.err.contains("1000000 records from \(events)"), run.err)
        XCTAssertTrue(run.err.contains("486867 written to \(out) · 0 filtered · 0 dead-lettered · 0 late"), run.err)

        // ref_check.py's own row-by-row comparison, on Weir's rows in the Flink sink's CSV shape;
        // the same run writes its exact integer-cent reference for the exact comparison after it
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("reference/weir_vs_flink_reference.py").path
        let expected = dir.appendingPathComponent("expected.csv").path, csv = dir.appendingPathComponent("weir-csv").path
        let converted = try runPython([script, "csv", out, csv])
        XCTAssertEqual(converted.status, 0, converted.out + converted.err)
        let check = try runPython([dir.appendingPathComponent("ref_check.py").path, events, "--flink-out", csv, "--expected-out", expected])
        print(check.out)
        XCTAssertEqual(check.status, 0, check.out + check.err)
        XCTAssertTrue(check.out.contains("rows(distinct user,minute)=486867 "), check.out)
        XCTAssertTrue(check.out.contains("compare: missing=0 extra=0 value_mismatch=0"), check.out)
        XCTAssertTrue(check.out.contains("CHECK PASS"), check.out)

        let exact = try runPython([script, "exact", out, expected])
        print(exact.out)
        XCTAssertEqual(exact.status, 0, exact.out + exact.err)
        XCTAssertTrue(exact.out.contains("weir: rows=486867 duplicates=0 missing=0 exact_mismatches=0"), exact.out)
    }
}
