import XCTest
import Foundation
import WeirFormats

/// Avro's steady state must not allocate: after warm-up (plans compiled,
/// buffers grown), decoding records of every type (projected, and rendered
/// whole for JSON output, then edited) and encoding Avro output makes no
/// malloc call on the thread, counted by the same LD_PRELOAD interposer as
/// the JSON test (`JSONZeroAllocationTests`).
final class AvroZeroAllocationTests: XCTestCase {
    static let iterations = 10_000

    final class Pipeline {
        let source: StaticSchemaSource
        let projected: AvroRowDecoder
        let whole: AvroRowDecoder
        let encoder: AvroRowEncoder
        let json = JSONRowEncoder()
        let editLayout = JSONEditLayout(removed: ["raw"], append: [("cents", 5)])
        var row = Row(slotCount: 8)
        let records: [[UInt8]]
        var failures = 0
        var bytes = 0

        init() throws {
            let schema = try AvroSchema(parsing: AvroFixtures.event)
            let output = try AvroSchema(parsing: #"{"type":"record","name":"Out","fields":[{"name":"user","type":"string"},{"name":"amount","type":"double"},{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"note","type":["null","string"]},{"name":"kind","type":{"type":"enum","name":"K","symbols":["CLICK","VIEW","BUY"]}},{"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},{"name":"host","type":"string","default":"none"}]}"#)
            source = StaticSchemaSource([1: schema])
            let fields = ["user_id", "amount", "ts", "note", "kind", "price", "page.host", "tags"].map { FieldPath(parsing: $0)! }
            projected = AvroRowDecoder(fields: fields, source: source)
            whole = AvroRowDecoder(fields: fields, source: source, renderWhole: true, droppedTopLevelKeys: editLayout.droppedKeys)
            encoder = try AvroRowEncoder(schema: output, schemaID: 9, slots: ["user": 0, "amount": 1, "ts": 2, "note": 3, "kind": 4, "price": 5, "host": 6])
            let docs = [
                #"{"user_id":"u1","amount":12.5,"ts":1764064800123,"count":-7,"ok":true,"ratio":0.25,"note":"hi","kind":"VIEW","page":{"host":"a.example","path":"/x"},"tags":["t1","t\"2"],"attrs":{"k":5},"raw":"\u0000","hash":"abcd","price":"-1234.56","day":20000,"micros":1}"#,
                #"{"user_id":"caf\u00e9 \ud83d\ude00","amount":-1e300,"ts":0,"count":2147483647,"ok":false,"ratio":1e10,"kind":"BUY","page":{"host":"","path":""},"tags":[],"attrs":{},"raw":"","hash":"\u0001\u0002\u0003\u0004","price":"0.01","day":-1,"micros":-1}"#,
                #"{"user_id":""# + String(repeating: "é", count: 20_000) + #"","amount":1,"ts":1,"count":0,"ok":true,"ratio":0,"kind":"CLICK","page":{"host":"h","path":"p"},"tags":["a","b","c","d","e","f","g","h"],"attrs":{"a":1,"b":2,"c":3},"raw":"xyz","hash":"wxyz","price":"9999999.99","day":0,"micros":0}"#,
            ]
            records = try docs.map { try AvroFixtures.encode($0, schema: schema, id: 1) }
        }

        /// Index loops, not for-in: unoptimized builds heap-allocate generic iterators.
        func runOnce() {
            var i = 0
            while i < records.count {
                defer { i += 1 }
                records[i].withUnsafeBytes { raw in
                    do throws(DecodeError) { try projected.decode(raw, into: &row) } catch { failures += 1; return }
                    do throws(EncodeError) { bytes &+= try encoder.encode(row: row).count } catch { failures += 1 }
                    do throws(DecodeError) { try whole.decode(raw, into: &row) } catch { failures += 1; return }
                    row.cells[5] = .int(42)
                    let rendered = whole.renderedSpan
                    let members = whole.topLevelMembers
                    let edited: Int? = row.withBytes(rendered) { object in
                        do throws(EncodeError) {
                            return try json.encodeEdited(original: object, members: members, layout: editLayout, row: row).count
                        } catch { return nil }
                    }
                    if let edited { bytes &+= edited } else { failures += 1 }
                }
            }
        }
    }

    func testNoMallocPerRecordCountedByPreloadedShim() throws {
        if let count = JSONZeroAllocationTests.threadMallocCounter() {
            let p = try Pipeline()
            for _ in 0..<3 { p.runOnce() }
            let before = count()
            var round = 0
            while round < Self.iterations / p.records.count { p.runOnce(); round += 1 }
            let mallocs = count() - before
            XCTAssertEqual(p.failures, 0)
            XCTAssertEqual(mallocs, 0, "malloc/calloc/realloc calls in steady state")
            print("avro steady-state mallocs: \(mallocs) over \(round * p.records.count) records (\(p.bytes) output bytes)")
            return
        }
        if MallocCountHarness.isChild {
            return XCTFail("child run without the malloc interposer")
        }
        try MallocCountHarness.rerunUnderInterposer("WeirFormatsTests.AvroZeroAllocationTests/testNoMallocPerRecordCountedByPreloadedShim", marker: "avro steady-state mallocs:")
    }
}
