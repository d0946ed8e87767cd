import XCTest
import Glibc
import WeirFormats

/// Decode throughput of the projected row (user_id, amount, ts) over the two
/// documents of shared/baseline/format-bench.c, to compare with its yajl SAX
/// figure. Measures with WEIR_BENCH=1, in a release build:
///   WEIR_BENCH=1 swift test -c release --scratch-path .build-json --filter JSONDecodeBenchmarkTests
/// WEIR_BENCH_N sets the documents per run (default 5,000,000, as format-bench).
final class JSONDecodeBenchmarkTests: XCTestCase {
    static let documents = [
        #"{"user_id":"u123","amount":12.34,"ts":1764064800123}"#,
        #"{"user_id":"u1234567","amount":12.34,"ts":1764064800123,"currency":"EUR","country":"DE","channel":"web"}"#,
    ]

    func testProjectedDecodeThroughput() throws {
        let env = ProcessInfo.processInfo.environment
        // Without WEIR_BENCH=1 the same loop runs on few documents: a check, not a measurement.
        let n = env["WEIR_BENCH"] == "1" ? (Int(env["WEIR_BENCH_N"] ?? "") ?? 5_000_000) : 20_000
        let decoder = JSONRowDecoder(fields: paths("user_id", "amount", "ts"))
        var row = Row(slotCount: 3)
        for doc in Self.documents {
            let bytes = Array(doc.utf8)
            var checksum = 0.0
            var failures = 0
            let seconds = bytes.withUnsafeBytes { raw -> Double in
                let t0 = now()
                for _ in 0..<n {
                    do throws(DecodeError) { try decoder.decode(raw, into: &row) } catch { failures += 1 }
                    if case .double(let a) = row.cells[1] { checksum += a }
                    if case .string(let s) = row.cells[0] { checksum += Double(row.arena[Int(s.start)]) }
                }
                return now() - t0
            }
            XCTAssertEqual(failures, 0)
            XCTAssertEqual(row.cells[2], .int(1764064800123))
            let rate = Double(n) / seconds
            print(String(format: "weir JSONRowDecoder projected decode doc=%dB N=%d: %.3fs => %.0f docs/s, %.1f MB/s (chk %.0f)",
                         bytes.count, n, seconds, rate, rate * Double(bytes.count) / 1e6, checksum))
        }
    }

    /// Decode + encode, for the record shapes of RecordProgram.Output (informative; no C counterpart).
    func testDecodeEncodeThroughput() throws {
        let env = ProcessInfo.processInfo.environment
        // Without WEIR_BENCH=1 the same loop runs on few documents: a check, not a measurement.
        let n = env["WEIR_BENCH"] == "1" ? (Int(env["WEIR_BENCH_N"] ?? "") ?? 5_000_000) : 20_000
        let bytes = Array(Self.documents[1].utf8)
        let encoder = JSONRowEncoder()
        var row = Row(slotCount: 3)
        var failures = 0, outputBytes = 0

        let projected = JSONRowDecoder(fields: paths("user_id", "amount", "ts"))
        let select = JSONOutputLayout([("user", 0), ("amount", 1), ("ts", 2)])
        let t0 = bytes.withUnsafeBytes { raw -> Double in
            let start = now()
            for _ in 0..<n {
                do throws(DecodeError) { try projected.decode(raw, into: &row) } catch { failures += 1 }
                do throws(EncodeError) { outputBytes &+= try encoder.encodeProjected(row: row, layout: select).count } catch { failures += 1 }
            }
            return now() - start
        }
        let edit = JSONEditLayout(removed: ["currency"], append: [("amount_eur", 1)])
        let editing = JSONRowDecoder(fields: paths("user_id", "amount", "ts"), captureTopLevel: true,
                                     droppedTopLevelKeys: edit.droppedKeys)
        let t1 = bytes.withUnsafeBytes { raw -> Double in
            let start = now()
            for _ in 0..<n {
                do throws(DecodeError) { try editing.decode(raw, into: &row) } catch { failures += 1 }
                do throws(EncodeError) {
                    outputBytes &+= try encoder.encodeEdited(original: raw, members: editing.topLevelMembers, layout: edit, row: row).count
                } catch { failures += 1 }
            }
            return now() - start
        }
        XCTAssertEqual(failures, 0)
        print(String(format: "weir decode+encodeProjected doc=%dB N=%d: %.0f docs/s", bytes.count, n, Double(n) / t0))
        print(String(format: "weir decode(capture)+encodeEdited doc=%dB N=%d: %.0f docs/s (out %d B)", bytes.count, n, Double(n) / t1, outputBytes))
    }

    private func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
