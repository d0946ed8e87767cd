import XCTest
import WeirFormats

/// Window/reduce results written as Avro must not allocate per row either:
/// after warm-up, encoding rows of every result shape (strings with escapes
/// and 20,000 `é`, unions on every branch, timestamps, `collect` arrays
/// transcoded from their JSON text with escapes, surrogate pairs, nested
/// values and numbers) makes no malloc call on the thread, counted by the
/// LD_PRELOAD interposer (`MallocCountHarness`).
final class AvroResultZeroAllocationTests: XCTestCase {
    static let iterations = 10_000

    final class Workload {
        let encoder: AvroResultEncoder
        var rows: [Row] = []
        var failures = 0
        var bytes = 0

        init() throws {
            let schema = try AvroResultSchema(name: "zero-alloc", namespace: "weir", doc: "", fields: AvroResultEncoderTests.fields)
            encoder = AvroResultEncoder(schema: schema, slots: Array(0..<AvroResultEncoderTests.fields.count), schemaID: 7)
            let shapes: [[Cell?]] = [
                [nil, .int(7), .int(1_795_600_800_000), .int(1_795_600_860_000), .int(3), .double(754.9), .double(251.63), nil, nil, nil],
                [nil, .null, .int(0), .int(60_000), .int(1), .int(-5), .null, .null, nil, nil],
                [nil, .bool(true), .int(-60_000), .int(0), .int(Int64.max), .null, .double(-0.5), nil, nil, nil],
                [nil, .double(2.5), .int(1), .int(2), .int(0), .int(12), .double(12), nil, nil, nil],
            ]
            let texts = ["u1", "caf\u{e9} \u{1F600}\"\\", String(repeating: "é", count: 20_000), ""]
            let arrays = [
                #"["/a","b\"c\\d\n","\u00e9\ud83d\ude00","x"]"#,
                "[]",
                #"["\ud800 lone", "\/\b\f\r\t"]"#,
                "[" + Array(repeating: #""p\u0041ge""#, count: 50).joined(separator: ",") + "]",
            ]
            let things = [
                #"[1,-2.5,true,false,"s",{"k":"v"},[3,[4]],1e300,9223372036854775807]"#,
                " [ ] ",
                #"[12345678901234567890, 0.1, "é", {"a": "]"}]"#,
                "[false]",
            ]
            for (i, shape) in shapes.enumerated() {
                var row = Row(slotCount: shape.count, arenaCapacity: 64 * 1024)
                row.cells[0] = .string(row.store(Array(texts[i].utf8)))
                for (j, c) in shape.enumerated() where c != nil { row.cells[j] = c ?? .null }
                if shape[1] == .double(2.5) { row.cells[1] = .json(row.store(Array(#"{"nested":["x"]}"#.utf8))) }
                row.cells[7] = i % 2 == 0 ? .string(row.store(Array("/p\(i)".utf8))) : .json(row.store(Array(#"{"h":1}"#.utf8)))
                row.cells[8] = .json(row.store(Array(arrays[i].utf8)))
                row.cells[9] = .json(row.store(Array(things[i].utf8)))
                rows.append(row)
            }
        }

        /// Index loops, not for-in: unoptimized builds heap-allocate generic iterators.
        func runOnce() {
            var i = 0
            while i < rows.count {
                do throws(EncodeError) { bytes &+= try encoder.encode(row: rows[i]).count } catch { failures += 1 }
                i += 1
            }
        }
    }

    func testNoMallocPerRowCountedByPreloadedShim() throws {
        if let count = JSONZeroAllocationTests.threadMallocCounter() {
            let w = try Workload()
            for _ in 0..<3 { w.runOnce() }
            let before = count()
            var round = 0
            while round < Self.iterations / w.rows.count { w.runOnce(); round += 1 }
            let mallocs = count() - before
            XCTAssertEqual(w.failures, 0)
            XCTAssertEqual(mallocs, 0, "malloc/calloc/realloc calls in steady state")
            print("avro result steady-state mallocs: \(mallocs) over \(round * w.rows.count) rows (\(w.bytes) output bytes)")
            return
        }
        if MallocCountHarness.isChild {
            return XCTFail("child run without the malloc interposer")
        }
        try MallocCountHarness.rerunUnderInterposer("WeirFormatsTests.AvroResultZeroAllocationTests/testNoMallocPerRowCountedByPreloadedShim",
                                                    marker: "avro result steady-state mallocs:")
    }
}
