import XCTest
@testable import WeirPipelines
import WeirEngine
import WeirFormats

/// `sink.files` in pipeline files: what loads, what the columns become, and
/// every refusal pointing at its line and column.
final class FilesSinkPipelineTests: XCTestCase {
    private func kafka(_ sink: String, steps: String = "  - select: {user: user_id, ts: ts}\n") -> String {
        "name: t\nsource: {kafka: {topic: in}}\nsteps:\n\(steps)sink:\n  files:\n\(sink)"
    }

    func testAKafkaSourceWritesPartitionedParquet() throws {
        let p = try XCTUnwrap(load(kafka("""
            path: lake/
            format: parquet
            partitionBy: [{dt: "date(ts)"}, user]
            roll: {size: 16MB, interval: 5m}
            rowGroupSize: 8MB
            compression: snappy
            columns: {user: string, ts: timestamp-millis}
        """)))
        let spec = try XCTUnwrap(p.job.sink.files)
        XCTAssertEqual(spec.path, "lake/")
        XCTAssertEqual(spec.format, .parquet)
        XCTAssertEqual(spec.columns, [.init("user", .string), .init("ts", .timestampMillis)])
        XCTAssertEqual(spec.partitionBy.map(\.name), ["dt", "user"])
        XCTAssertEqual(spec.rollBytes, 16 << 20)
        XCTAssertEqual(spec.rollIntervalMs, 300_000)
        XCTAssertEqual(spec.rowGroupBytes, 8 << 20)
        XCTAssertEqual(spec.compression, .snappy)
        XCTAssertEqual(p.job.sink.format, .json, "the pipeline encodes JSON for the sink to read")
        XCTAssertEqual(p.job.source.topics, ["in"])

        // The partition expressions read the output row's columns.
        var row = Row(slotCount: 2)
        row.cells[0] = .string(row.store(Array("u/1".utf8)))
        row.cells[1] = .int(1_796_000_000_000)
        guard case .string(let dt) = try spec.partitionBy[0].expression.evaluate(&row) else { return XCTFail("dt") }
        XCTAssertEqual(row.string(dt), "2026-11-30")
    }

    func testWindowResultsGiveTheColumns() throws {
        let yaml = """
        name: w
        source: {kafka: {topic: in, keyedBy: [user_id]}}
        time: {eventTime: {field: ts, format: epochMillis}}
        steps:
          - keyBy: [user_id]
          - window: {tumbling: 1m}
          - aggregate: {clicks: count(), amount: sum(amount)}
        sink:
          files: {path: lake/, partitionBy: [{dt: "date(window_start)"}]}
        """
        let p = try XCTUnwrap(load(yaml))
        let spec = try XCTUnwrap(p.job.sink.files)
        XCTAssertEqual(spec.columns.map(\.name), ["user_id", "window_start", "window_end", "clicks", "amount"])
        XCTAssertEqual(spec.columns[1].type, .timestampMillis)
        XCTAssertEqual(spec.columns[3].type, .int64)
        XCTAssertEqual(spec.columns[4].type, .double)
    }

    func testAFileSourceWritesJSONLinesWithoutColumns() throws {
        let yaml = "name: f\nsource: {file: {path: in.jsonl}}\nsink:\n  files: {path: out/, format: json, partitionBy: [country]}\n"
        let spec = try XCTUnwrap(load(yaml)?.job.sink.files)
        XCTAssertEqual(spec.format, .json)
        XCTAssertEqual(spec.columns, [.init("country", .string)], "only what partitionBy reads is decoded")
    }

    /// Each column is read from the row the pipeline produced, where the steps left that field.
    func testColumnsAreTheOutputRecordsFields() throws {
        let p = try XCTUnwrap(load(kafka("""
            path: lake/
            columns: {ts: timestamp-millis, user: string, price: "decimal(10, 2)", raw: binary}
        """, steps: "  - map: {user: \"lower(user_id)\", price: \"cents / 100\"}\n")))
        let spec = try XCTUnwrap(p.job.sink.files)
        XCTAssertEqual(spec.columns.map(\.type), [.timestampMillis, .string, .decimal(precision: 10, scale: 2), .binary])
        let program = p.job.program
        guard case .edited(_, let append) = program.output else { return XCTFail("\(program.output)") }
        let computed = Dictionary(uniqueKeysWithValues: append.map { ($0.name, $0.slot) })
        XCTAssertEqual(spec.sourceSlots[1], computed["user"], "a computed column is its step's slot")
        XCTAssertEqual(spec.sourceSlots[2], computed["price"])
        XCTAssertEqual(program.inputFields[spec.sourceSlots[0]], FieldPath(["ts"]), "a field passed through is decoded once, by the source")
        XCTAssertEqual(program.inputFields[spec.sourceSlots[3]], FieldPath(["raw"]))
    }

    /// An Avro source with its schema: no `columns` needed, the schema gives the types.
    func testAnAvroSourceSchemaGivesTheColumns() throws {
        let schema = #"{"type":"record","name":"R","fields":[{"name":"id","type":"long"},{"name":"at","type":{"type":"long","logicalType":"timestamp-micros"}},{"name":"note","type":["null","string"]},{"name":"gone","type":"int"}]}"#
        let yaml = "name: a\nsource:\n  kafka: {topic: in}\n  format: avro\n  schema: '\(schema)'\nsteps:\n  - drop: [gone]\n  - map: {big: \"id > 10\"}\nsink:\n  files: {path: lake/}\n"
        let spec = try XCTUnwrap(load(yaml)?.job.sink.files)
        XCTAssertEqual(spec.columns, [.init("id", .int64, nullable: false), .init("at", .timestampMicros, nullable: false),
                                      .init("note", .string), .init("big", .boolean)])
        // Without the schema, the columns come from the registry's subject at job start (RegistryColumns).
        let fromRegistry = "name: a\nsource:\n  kafka: {topic: in}\n  format: avro\nsink:\n  files: {path: lake/}\n"
        let pending = try XCTUnwrap(load(fromRegistry)?.job.sink.files)
        XCTAssertEqual(pending.columnsFromSubject, "in-value")
        XCTAssertEqual(pending.columns, [])
        let notes = try XCTUnwrap(load(fromRegistry)?.notes)
        XCTAssertTrue(notes.contains { $0.message.contains("subject 'in-value' when the job starts") && $0.severity == .info }, "\(notes)")
    }

    func testRefusals() {
        assertRefused(kafka("    path: lake/\n    format: parket\n"), line: 8, column: 13, field: "sink.files.format", "did you mean 'parquet'")
        assertRefused(kafka("    path: lake/\n    compression: lz4\n"), line: 8, column: 18, field: "sink.files.compression", "expected zstd, snappy or none")
        assertRefused(kafka("    path: lake/\n    roll: {size: 12 parsecs}\n"), line: 8, column: 18, field: "sink.files.roll.size", "expected a size")
        assertRefused(kafka("    path: lake/\n    rowGroupSize: 1\n"), line: 8, column: 19, field: "sink.files.rowGroupSize", "the size must be from")
        assertRefused(kafka("    path: lake/\n    columns: {user: strin}\n"), line: 8, column: 21, field: "sink.files.columns.user", "did you mean 'string'")
        assertRefused(kafka("    path: lake/\n    columns: {user: string, ts: int64}\n    partitionBy: [{dt: \"date(nope)\"}]\n"),
                      line: 9, column: 30, field: "sink.files.partitionBy[0].dt", "'nope' is not one of its columns (user, ts)")
        assertRefused(kafka("    path: lake/\n    columns: {user: string}\n    partitionBy: [\"a/b\"]\n"),
                      line: 9, column: 19, field: "sink.files.partitionBy[0]", "a partition needs a name")
        assertRefused(kafka("    path: lake/\n    columns: {user: string}\n    partitionBy: [{\"../x\": user}]\n"),
                      line: 9, column: 20, field: "sink.files.partitionBy[0].../x", "is not a column name")
        assertRefused(kafka("    path: lake/\n"), line: 7, column: 5, field: "sink.files", "format parquet needs every column's type")
        assertRefused(kafka("    path: lake/\n    columns: {user: string, nope: int64}\n"), line: 8, column: 29, field: "sink.files.columns.nope",
                      "column 'nope' is not in the output record")
        assertRefused(kafka("    path: lake/\n    columns: {user: \"decimal(40,2)\"}\n"), line: 8, column: 21, field: "sink.files.columns.user",
                      "precision 1 ≤ P ≤ 38", columnChecked: false)
        assertRefused(kafka("    format: json\n"), line: 7, column: 5, field: "sink.files.path", "missing required key 'path'")
        assertRefused("name: t\nsource: {kafka: {topics: [a, b]}}\nsink: {files: {path: l/, format: json}}\n",
                      line: 2, column: 29, field: "source.kafka.topics[1]", "a files sink reads one Kafka topic", columnChecked: false)
        assertRefused("""
            name: t
            source: {kafka: {topic: in, keyedBy: [user_id]}}
            time: {processingTime: true}
            steps:
              - keyBy: [user_id]
              - window: {tumbling: 1m}
              - aggregate: {n: count()}
            sink: {files: {path: l/, format: json}}
            """, line: 8, column: 15, field: "sink.files", "processing-time windows", columnChecked: false)
    }
}

/// `date(ms)` and `hour(ms)`, the lake's usual partition columns (UTC).
final class TimeFunctionTests: XCTestCase {
    func testDateAndHour() {
        let fields: [(String, TestRow.Value)] = [
            ("ts", .int(1_796_000_000_000)), ("zero", .int(0)), ("before", .int(-1)), ("leap", .int(951_782_400_000)),
            ("d", .double(3_600_000.5)), ("s", .string("x")), ("n", .null),
        ]
        for (text, expected) in [
            ("date(ts)", Expect.string("2026-11-30")), ("hour(ts)", .int(0)), ("hour(ts + 3600000 * 13)", .int(13)),
            ("date(zero)", .string("1970-01-01")), ("hour(zero)", .int(0)),
            ("date(before)", .string("1969-12-31")), ("hour(before)", .int(23)),
            ("date(leap)", .string("2000-02-29")), ("hour(d)", .int(1)),
            ("date(n)", .null), ("hour(n)", .null), ("date(s)", .error("epoch milliseconds")), ("date('x')", .refused("date")),
        ] as [(String, Expect)] {
            check(text, expected, fields)
        }
    }
}
