import XCTest
import WeirFormats

final class AvroRowDecoderTests: XCTestCase {
    let full = """
    {"user_id":"u1","amount":12.5,"ts":1764064800123,"count":-7,"ok":true,"ratio":0.25,"note":"hi",
     "kind":"VIEW","page":{"host":"a.example","path":"/x"},"tags":["t1","t\\"2"],"attrs":{"k":5},
     "raw":"\\u0000\\u00ff","hash":"abcd","price":"-1234.56","day":20000,"micros":1764064800123456}
    """

    func decode(_ bytes: [UInt8], fields: [String], reader: AvroSchema? = nil, source: AvroSchemaSource) throws -> [String] {
        let decoder = AvroRowDecoder(fields: fields.map { FieldPath(parsing: $0)! }, readerSchema: reader, source: source)
        var row = Row(slotCount: fields.count)
        try bytes.withUnsafeBytes { try decoder.decode($0, into: &row) }
        return AvroFixtures.describe(row, fields.count)
    }

    func testEveryTypeDecodesIntoItsSlot() throws {
        let schema = try AvroFixtures.schema(AvroFixtures.event)
        let bytes = try AvroFixtures.encode(full, schema: schema, id: 7)
        XCTAssertEqual(Array(bytes.prefix(5)), [0, 0, 0, 0, 7])
        let fields = ["user_id", "amount", "ts", "count", "ok", "ratio", "note", "kind", "page.host", "page", "tags",
                      "attrs", "raw", "hash", "price", "day", "micros", "absent", "page.absent"]
        let cells = try decode(bytes, fields: fields, source: StaticSchemaSource([7: schema]))
        XCTAssertEqual(cells, [
            "string u1", "double 12.5", "int 1764064800123", "int -7", "true", "double 0.25", "string hi",
            "string VIEW", "string a.example", #"json {"host":"a.example","path":"/x"}"#, #"json ["t1","t\"2"]"#,
            // a string cell written to bytes is its UTF-8 (00 C3 BF), read back as code points 0–255
            #"json {"k":5}"#, #"json "\u0000Ã¿""#, #"json "abcd""#, "double -1234.56", "int 20000",
            "int 1764064800123456", "missing", "missing",
        ])
    }

    func testNullUnionBranchAndDefaults() throws {
        let schema = try AvroFixtures.schema(AvroFixtures.event)
        let json = full.replacingOccurrences(of: "\"note\":\"hi\",", with: "")
        let bytes = try AvroFixtures.encode(json, schema: schema, id: 1)
        XCTAssertEqual(try decode(bytes, fields: ["note", "user_id"], source: StaticSchemaSource([1: schema])), ["null", "string u1"])
    }

    func testWholeRecordRenderedAsJSONWithMembers() throws {
        let schema = try AvroFixtures.schema(AvroFixtures.event)
        let bytes = try AvroFixtures.encode(full, schema: schema, id: 1)
        let decoder = AvroRowDecoder(fields: [FieldPath(["amount"])], source: StaticSchemaSource([1: schema]),
                                     renderWhole: true, droppedTopLevelKeys: ["raw", "amount"])
        var row = Row(slotCount: 2)
        try bytes.withUnsafeBytes { try decoder.decode($0, into: &row) }
        let text = row.string(decoder.renderedSpan)
        let parsed = try JSONValue.parse(text)
        XCTAssertEqual(parsed["user_id"], .string("u1"))
        XCTAssertEqual(parsed["price"], .double(-1234.56))
        XCTAssertEqual(parsed["ratio"], .double(0.25))
        XCTAssertEqual(parsed["page"]?["path"], .string("/x"))
        XCTAssertEqual(parsed["attrs"]?["k"], .int(5))
        XCTAssertEqual(decoder.topLevelMembers.count, 16)
        // Edited output: drop raw/amount, append a computed field.
        row.cells[1] = .int(42)
        let layout = JSONEditLayout(removed: ["raw"], append: [("amount", 1)])
        let encoder = JSONRowEncoder()
        let out = try row.withBytes(decoder.renderedSpan) { original in
            String(decoding: try encoder.encodeEdited(original: original, members: decoder.topLevelMembers, layout: layout, row: row), as: UTF8.self)
        }
        let edited = try JSONValue.parse(out)
        XCTAssertNil(edited["raw"])
        XCTAssertEqual(edited["amount"], .int(42))
        XCTAssertEqual(edited["kind"], .string("VIEW"))
        XCTAssertEqual(edited["hash"], .string("abcd"))
    }

    func testEvolutionAddedDefaultedFieldAndRemovedField() throws {
        let v1 = try AvroFixtures.schema("""
        {"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"},
          {"name":"legacy","type":"int"}]}
        """)
        let v2 = try AvroFixtures.schema("""
        {"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"},
          {"name":"email","type":"string","default":"none@example.com"},
          {"name":"score","type":["null","double"],"default":null}]}
        """)
        let source = StaticSchemaSource([1: v1, 2: v2])
        let old = try AvroFixtures.encode(#"{"id":1,"name":"ann","legacy":9}"#, schema: v1, id: 1)
        let new = try AvroFixtures.encode(#"{"id":2,"name":"bob","email":"b@x","score":1.5}"#, schema: v2, id: 2)
        // v2 reader: v1 data gets the defaults; v2 data its own values.
        XCTAssertEqual(try decode(old, fields: ["id", "email", "score", "legacy"], reader: v2, source: source),
                       ["int 1", "string none@example.com", "null", "missing"])
        XCTAssertEqual(try decode(new, fields: ["id", "email", "score"], reader: v2, source: source),
                       ["int 2", "string b@x", "double 1.5"])
        // v1 reader on v2 data: 'legacy' has no default and v2 lacks it -> refused with the reason.
        XCTAssertThrowsError(try decode(new, fields: ["id"], reader: v1, source: source)) { e in
            XCTAssertEqual((e as? DecodeError)?.kind, .schemaMismatch)
            XCTAssertTrue("\(e)".contains("legacy"), "\(e)")
        }
        // A v1 reader without 'legacy' (it was removed compatibly) reads v2 data.
        let v1b = try AvroFixtures.schema("""
        {"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"}]}
        """)
        XCTAssertEqual(try decode(new, fields: ["name", "id"], reader: v1b, source: source), ["string bob", "int 2"])
    }

    func testPromotionsAndReaderUnion() throws {
        let w = try AvroFixtures.schema(#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"float"},{"name":"c","type":"string"}]}"#)
        let r = try AvroFixtures.schema(#"{"type":"record","name":"R","fields":[{"name":"a","type":"double"},{"name":"b","type":"double"},{"name":"c","type":["null","bytes"]}]}"#)
        let bytes = try AvroFixtures.encode(#"{"a":3,"b":1.5,"c":"hé"}"#, schema: w, id: 3)
        XCTAssertEqual(try decode(bytes, fields: ["a", "b", "c"], reader: r, source: StaticSchemaSource([3: w])),
                       ["double 3.0", "double 1.5", #"json "hÃ©""#])
    }

    func testRecursiveSchema() throws {
        let s = try AvroFixtures.schema(#"{"type":"record","name":"Node","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","Node"],"default":null}]}"#)
        let bytes = try AvroFixtures.encode(#"{"v":1,"next":{"v":2,"next":{"v":3,"next":null}}}"#, schema: s, id: 4)
        XCTAssertEqual(try decode(bytes, fields: ["next.next.v", "next", "v"], source: StaticSchemaSource([4: s])),
                       ["int 3", #"json {"v":2,"next":{"v":3,"next":null}}"#, "int 1"])
    }

    func testBadInputIsAnErrorNeverATrap() throws {
        let schema = try AvroFixtures.schema(AvroFixtures.event)
        let source = StaticSchemaSource([1: schema])
        let good = try AvroFixtures.encode(full, schema: schema, id: 1)
        let decoder = AvroRowDecoder(fields: [FieldPath(["user_id"]), FieldPath(["tags"])], source: source)
        var row = Row(slotCount: 2)
        func kind(_ b: [UInt8]) -> DecodeError.Kind? {
            do { try b.withUnsafeBytes { try decoder.decode($0, into: &row) }; return nil }
            catch { XCTAssertEqual(row.cells[0], .missing); return (error as? DecodeError)?.kind }
        }
        XCTAssertNil(kind(good))
        XCTAssertEqual(kind([]), .empty)
        XCTAssertEqual(kind(Array(#"{"a":1}"#.utf8)), .badFrame)
        XCTAssertEqual(kind([0, 0, 0]), .badFrame)
        XCTAssertEqual(kind([0, 0, 0, 0, 9] + good.dropFirst(5)), .unknownSchema)
        for cut in 5..<good.count { XCTAssertNotNil(kind(Array(good.prefix(cut))), "prefix \(cut)") }
        XCTAssertEqual(kind(good + [0]), .invalidData)
        var badUTF8 = good
        badUTF8[6] = 0xFF                                     // inside "u1"
        XCTAssertEqual(kind(badUTF8), .invalidUTF8)
        var negative = good
        negative[5] = 0x03                                    // string length -2
        XCTAssertEqual(kind(negative), .invalidData)
        XCTAssertEqual(kind([0, 0, 0, 0, 1] + [UInt8](repeating: 0xFF, count: 20)), .invalidData)
        // Random bytes: anything but a trap.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let n = Int.random(in: 0..<80, using: &rng)
            var b: [UInt8] = [0, 0, 0, 0, 1]
            for _ in 0..<n { b.append(UInt8.random(in: 0...255, using: &rng)) }
            _ = kind(b)
        }
        XCTAssertNil(kind(good), "the decoder still works after bad input")
    }

    func testHugeCountOfZeroByteItemsIsBounded() throws {
        let s = try AvroFixtures.schema(#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"null"}}]}"#)
        // count = 2^62 items of zero bytes each
        var w: [UInt8] = [0, 0, 0, 0, 1]
        var n = UInt64(1) << 63                                // zig-zag of 2^62
        while n >= 0x80 { w.append(UInt8(truncatingIfNeeded: n) | 0x80); n >>= 7 }
        w.append(UInt8(n))
        w.append(0)
        for fields in [["a"], []] {
            let decoder = AvroRowDecoder(fields: fields.map { FieldPath([$0]) }, source: StaticSchemaSource([1: s]))
            var row = Row(slotCount: 1)
            XCTAssertThrowsError(try w.withUnsafeBytes { try decoder.decode($0, into: &row) }) { e in
                XCTAssertEqual((e as? DecodeError)?.kind, .tooLarge)
            }
        }
    }

    func testSizeLimit() throws {
        let s = try AvroFixtures.schema(#"{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}"#)
        let big = String(repeating: "x", count: 2 << 20)
        let bytes = try AvroFixtures.encode("{\"a\":\"\(big)\"}", schema: s, id: 1)
        let decoder = AvroRowDecoder(fields: [FieldPath(["a"])], source: StaticSchemaSource([1: s]))
        var row = Row(slotCount: 1)
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try decoder.decode($0, into: &row) }) { e in
            XCTAssertEqual((e as? DecodeError)?.kind, .tooLarge)
        }
    }
}
