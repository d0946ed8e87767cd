import XCTest
import WeirFormats

/// The Avro schema derived for window/reduce results and its encoder, read
/// back with the project's own decoder.
final class AvroResultEncoderTests: XCTestCase {
    static let fields: [AvroResultSchema.Field] = [
        .init(name: "user_id", type: .cells(.string)),
        .init(name: "host", type: .cells(.any)),
        .init(name: "window_start", type: .timestampMillis),
        .init(name: "window_end", type: .timestampMillis),
        .init(name: "clicks", type: .cells(.int)),
        .init(name: "amount", type: .cells([.null, .int, .double])),
        .init(name: "avg_amount", type: .cells([.null, .double])),
        .init(name: "first_page", type: .cells([.null, .string, .json])),
        .init(name: "pages", type: .list(.string)),
        .init(name: "things", type: .list(.any)),
    ]

    func testDerivedSchemaText() throws {
        let s = try AvroResultSchema(name: "clicks-per-user", namespace: "weir", doc: "Window results", fields: Self.fields)
        XCTAssertEqual(s.text, #"{"type":"record","name":"clicks_per_user","namespace":"weir","doc":"Window results","fields":["#
            + #"{"name":"user_id","type":"string"},"#
            + #"{"name":"host","type":["null","boolean","long","double","string"],"default":null},"#
            + #"{"name":"window_start","type":{"type":"long","logicalType":"timestamp-millis"}},"#
            + #"{"name":"window_end","type":{"type":"long","logicalType":"timestamp-millis"}},"#
            + #"{"name":"clicks","type":"long"},"#
            + #"{"name":"amount","type":["null","long","double"],"default":null},"#
            + #"{"name":"avg_amount","type":["null","double"],"default":null},"#
            + #"{"name":"first_page","type":["null","string"],"default":null},"#
            + #"{"name":"pages","type":{"type":"array","items":"string"}},"#
            + #"{"name":"things","type":{"type":"array","items":["boolean","long","double","string"]}}]}"#)
        guard case .record(let r) = s.schema.root else { return XCTFail("not a record") }
        XCTAssertEqual(r.fullName, "weir.clicks_per_user")
        XCTAssertEqual(r.field(named: "window_start")?.type.logicalType, .timestampMillis)
    }

    func testNamesAvroRefuses() {
        XCTAssertThrowsError(try AvroResultSchema(name: "p", namespace: "weir", doc: "", fields: [.init(name: "user-id", type: .cells(.string))])) {
            XCTAssertTrue("\($0)".contains("'user-id' is not a valid Avro name"), "\($0)")
        }
        XCTAssertEqual(AvroNames.sanitized("clicks-per-user.v2"), "clicks_per_user_v2")
        XCTAssertEqual(AvroNames.sanitized("1st"), "_1st")
        XCTAssertEqual(AvroNames.sanitized(""), "_")
        XCTAssertTrue(AvroNames.isValid("_a1"))
        XCTAssertFalse(AvroNames.isValid("1a"))
        XCTAssertFalse(AvroNames.isValid("é"))
    }

    /// Rows encoded, then decoded by `AvroRowDecoder` with the derived schema as the writer's.
    func testRowsRoundTripThroughTheDecoder() throws {
        let s = try AvroResultSchema(name: "t", namespace: "weir", doc: "", fields: Self.fields)
        let encoder = AvroResultEncoder(schema: s, slots: Array(0..<Self.fields.count), schemaID: 42)
        let decoder = AvroRowDecoder(fields: Self.fields.map { FieldPath([$0.name]) }, source: StaticSchemaSource([42: s.schema]))

        var row = Row(slotCount: Self.fields.count)
        row.cells[0] = .string(row.store(Array("u\"é😀".utf8)))
        row.cells[1] = .int(7)
        row.cells[2] = .int(1_795_600_800_000)
        row.cells[3] = .int(1_795_600_860_000)
        row.cells[4] = .int(3)
        row.cells[5] = .double(754.9)
        row.cells[6] = .null
        row.cells[7] = .json(row.store(Array(#"{"host":"a.example","n":[1,2]}"#.utf8)))
        row.cells[8] = .json(row.store(Array(#"["/a","b\"c\\d\n","\u00e9\ud83d\ude00",  "x"]"#.utf8)))
        row.cells[9] = .json(row.store(Array(#"[1,-2.5,true,false,"s",{"k":"v"},[3,[4]],1e300,9223372036854775807]"#.utf8)))
        let framed = Array(try encoder.encode(row: row))
        XCTAssertEqual(Array(framed.prefix(5)), [0, 0, 0, 0, 42])

        var out = Row(slotCount: Self.fields.count)
        try framed.withUnsafeBytes { try decoder.decode($0, into: &out) }
        XCTAssertEqual(AvroFixtures.describe(out, 8), [
            "string u\"é😀", "int 7", "int 1795600800000", "int 1795600860000", "int 3", "double 754.9", "null",
            #"string {"host":"a.example","n":[1,2]}"#,
        ])
        guard case .json(let pages) = out.cells[8], case .json(let things) = out.cells[9] else { return XCTFail("arrays as JSON: \(AvroFixtures.describe(out, 10))") }
        XCTAssertEqual(try JSONValue.parse(out.string(pages)), .array([.string("/a"), .string("b\"c\\d\n"), .string("é😀"), .string("x")]))
        XCTAssertEqual(try JSONValue.parse(out.string(things)), .array([
            .int(1), .double(-2.5), .bool(true), .bool(false), .string("s"), .string(#"{"k":"v"}"#), .string("[3,[4]]"),
            .double(1e300), .int(Int64.max),
        ]))

        // The other branches of the same fields, and empty arrays.
        row.reset()
        row.cells[0] = .string(row.store([UInt8]()))
        row.cells[1] = .null
        row.cells[2] = .int(-60_000); row.cells[3] = .int(0)
        row.cells[4] = .int(0)
        row.cells[5] = .int(Int64.min)
        row.cells[6] = .double(2.5)
        row.cells[7] = .string(row.store(Array("/home".utf8)))
        row.cells[8] = .json(row.store(Array("[]".utf8)))
        row.cells[9] = .json(row.store(Array(" [ ] ".utf8)))
        let second = Array(try encoder.encode(row: row))
        try second.withUnsafeBytes { try decoder.decode($0, into: &out) }
        XCTAssertEqual(AvroFixtures.describe(out, 10), [
            "string ", "null", "int -60000", "int 0", "int 0", "int -9223372036854775808", "double 2.5", "string /home", "json []", "json []",
        ])
    }

    /// A kind the schema lacks is converted when exact (an int into a
    /// double-only field, an integral double into a long-only one), else refused.
    func testNumberConversionsAndRefusals() throws {
        let fields: [AvroResultSchema.Field] = [.init(name: "d", type: .cells(.double)), .init(name: "l", type: .cells(.int))]
        let s = try AvroResultSchema(name: "t", namespace: "weir", doc: "", fields: fields)
        let encoder = AvroResultEncoder(schema: s, slots: [0, 1], schemaID: 1)
        let decoder = AvroRowDecoder(fields: [FieldPath(["d"]), FieldPath(["l"])], source: StaticSchemaSource([1: s.schema]))
        var row = Row(slotCount: 2)
        row.cells[0] = .int(7); row.cells[1] = .double(-3)
        var out = Row(slotCount: 2)
        try Array(try encoder.encode(row: row)).withUnsafeBytes { try decoder.decode($0, into: &out) }
        XCTAssertEqual(AvroFixtures.describe(out, 2), ["double 7.0", "int -3"])

        func refused(_ cells: [Cell], _ field: String, _ reason: String, file: StaticString = #filePath, line: UInt = #line) {
            var r = Row(slotCount: 2)
            r.cells[0] = cells[0]; r.cells[1] = cells[1]
            XCTAssertThrowsError(try encoder.encode(row: r), file: file, line: line) { e in
                XCTAssertEqual((e as? EncodeError)?.field, field, file: file, line: line)
                XCTAssertTrue("\(e)".contains(reason), "\(e)", file: file, line: line)
            }
        }
        refused([.null, .int(1)], "d", "null where the schema has no null")
        refused([.double(1), .double(1.5)], "l", "a double where the schema has no double")
        refused([.double(1), .bool(true)], "l", "a boolean")

        let lists = try AvroResultSchema(name: "t", namespace: "weir", doc: "", fields: [.init(name: "a", type: .list(.int))])
        let listEncoder = AvroResultEncoder(schema: lists, slots: [0], schemaID: 1)
        for bad in ["[1,", "[1 2]", "{\"a\":1}", "[\"x\"]", "[1,nul]", "[\"\\q\"]", ""] {
            var r = Row(slotCount: 1)
            r.cells[0] = .json(r.store(Array(bad.utf8)))
            XCTAssertThrowsError(try listEncoder.encode(row: r), bad)
        }
        var r = Row(slotCount: 1)
        r.cells[0] = .int(1)
        XCTAssertThrowsError(try listEncoder.encode(row: r))
    }
}
