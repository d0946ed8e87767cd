import XCTest
import WeirFormats
@testable import WeirEngine

/// The Avro schema derived for window and reduce results, and real operator
/// rows written with it, read back by the project's Avro decoder.
final class ResultSchemaTests: XCTestCase {
    /// Input slots: 0 user (string, never null), 1 amount (anything), 2 cents (int or null), 3 page (string or null).
    static let kinds: [Int: CellKinds] = [0: .string, 2: [.int, .null], 3: [.string, .null]]
    static let aggregates: [AggregateSpec] = [
        .count(as: "n"), .count(1, as: "with_amount"), .sum(1, as: "total"), .sum(2, as: "cents"), .avg(1, as: "mean"),
        .min(1, as: "lo"), .max(2, as: "hi"), .first(3, as: "first_page"), .last(1, as: "last_amount"),
        .countDistinct(3, as: "pages"), .collect(3, maxSize: 5, as: "seen"),
    ]

    func window() throws -> WindowOperator {
        try WindowOperator(.init(keyFields: [.init(name: "user", slot: 0)], window: .tumbling(sizeMs: 60_000), aggregates: Self.aggregates))
    }

    func testWindowSchemaFollowsTheAggregates() throws {
        let s = try ResultSchema.derive(pipeline: "clicks-per-user", operator: try window(), inputKinds: Self.kinds)
        let nullable = #","default":null}"#
        XCTAssertEqual(s.text, #"{"type":"record","name":"clicks_per_user","namespace":"weir","#
            + #""doc":"Window results (keyBy + window + aggregate) of the Weir pipeline clicks-per-user","fields":["#
            + #"{"name":"user","type":"string"},"#
            + #"{"name":"window_start","type":{"type":"long","logicalType":"timestamp-millis"}},"#
            + #"{"name":"window_end","type":{"type":"long","logicalType":"timestamp-millis"}},"#
            + #"{"name":"n","type":"long"},"#
            + #"{"name":"with_amount","type":"long"},"#
            + #"{"name":"total","type":["null","long","double"]"# + nullable + ","   // int sums overflow into doubles
            + #"{"name":"cents","type":["null","long","double"]"# + nullable + ","
            + #"{"name":"mean","type":["null","double"]"# + nullable + ","
            + #"{"name":"lo","type":["null","long","double"]"# + nullable + ","
            + #"{"name":"hi","type":["null","long"]"# + nullable + ","
            + #"{"name":"first_page","type":["null","string"]"# + nullable + ","
            + #"{"name":"last_amount","type":["null","boolean","long","double","string"]"# + nullable + ","
            + #"{"name":"pages","type":"long"},"#
            + #"{"name":"seen","type":{"type":"array","items":"string"}}]}"#)
    }

    func testReduceSchemaHasNoWindowBoundsAndAnyKeyWithoutTypes() throws {
        let op = try KeyedReduceOperator(.init(keyFields: [.init(name: "user", slot: 0), .init(name: "n", slot: 2)],
                                               aggregates: [.sum(1, as: "total")]))
        let s = try ResultSchema.derive(pipeline: "running", operator: op, inputKinds: [1: .double])
        XCTAssertEqual(s.fields, [
            .init(name: "user", type: .cells(.any)), .init(name: "n", type: .cells(.any)),
            .init(name: "total", type: .cells([.null, .double])),
        ])
        XCTAssertTrue(s.text.contains("Running aggregates (keyBy + reduce) of the Weir pipeline running"), s.text)
    }

    /// Encodes each emitted row as Avro and decodes it back; the text must be the Collector's.
    struct AvroRoundTrip: OperatorOutput {
        let encoder: AvroResultEncoder
        let decoder: AvroRowDecoder
        let layout: [(name: String, slot: Int)]
        var rows: [Emitted] = []
        var failures: [String] = []

        mutating func emit(_ row: Row, kind: EmitKind, partition: Int) {
            var back = Row(slotCount: layout.count)
            do {
                let bytes = Array(try encoder.encode(row: row))
                try bytes.withUnsafeBytes { try decoder.decode($0, into: &back) }
            } catch {
                failures.append("\(error)")
                return
            }
            var f: [String: String] = [:]
            for (i, l) in layout.enumerated() { f[l.name] = render(back.cells[i], back) }
            rows.append(Emitted(kind: kind, partition: partition, fields: f))
        }
        mutating func late(_ row: Row, timestampMs: Int64, partition: Int) {}
    }

    func testWindowRowsSurviveAvro() throws {
        let op = try window()
        let schema = try ResultSchema.derive(pipeline: "p", operator: op, inputKinds: Self.kinds)
        var avro = AvroRoundTrip(encoder: AvroResultEncoder(schema: schema, slots: op.outputLayout.map(\.slot), schemaID: 3),
                                 decoder: AvroRowDecoder(fields: op.outputLayout.map { FieldPath([$0.name]) },
                                                         source: StaticSchemaSource([3: schema.schema])),
                                 layout: op.outputLayout)
        var direct = Collector(op)
        let inputs: [[Any?]] = [
            ["u1", 12.5, 1250, "/a"], ["u1", 7, 700, "/b\"q"], ["u1", nil, nil, nil], ["u1", true, 3, "/a"],
            ["u2", nil, nil, nil],                                   // every nullable aggregate null
            ["u3", Int64.max, Int64.max, "é😀"], ["u3", 1, 1, "x"],  // int sums overflow into doubles
            ["u4", 0.1, 1, "/c"], ["u4", 0.2, 2, "/c"],
        ]
        for (i, input) in inputs.enumerated() {
            var row = makeRow(input)
            try? op.process(row: &row, timestampMs: Int64(i), partition: 0, output: &avro)   // `true` into sum fails the record
        }
        op.flush(output: &avro)
        XCTAssertEqual(avro.failures, [])
        let op2 = try window()
        for (i, input) in inputs.enumerated() {
            var row = makeRow(input)
            try? op2.process(row: &row, timestampMs: Int64(i), partition: 0, output: &direct)
        }
        op2.flush(output: &direct)
        XCTAssertEqual(avro.rows.count, 4)
        XCTAssertEqual(avro.rows.map(\.description).sorted(), direct.rows.map(\.description).sorted())
        let u3 = try XCTUnwrap(avro.rows.first { $0["user"] == "\"u3\"" })
        XCTAssertEqual(u3["total"], "d:9.223372036854776e+18")
        XCTAssertEqual(u3["seen"], #"["é😀","x"]"#)
        let u1 = try XCTUnwrap(avro.rows.first { $0["user"] == "\"u1\"" })
        XCTAssertEqual(u1["total"], "d:19.5")
        XCTAssertEqual(u1["first_page"], "\"/a\"")
        XCTAssertEqual(u1["seen"], #"["/a","/b\"q"]"#)
    }
}
