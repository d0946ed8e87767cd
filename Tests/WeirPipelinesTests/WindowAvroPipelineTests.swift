import XCTest
import WeirEngine
import WeirFormats
@testable import WeirPipelines

/// `format: avro` on the sink of keyBy + window/reduce: the schema derived
/// from the pipeline's types, a given `sink.schema`, and what is refused.
final class WindowAvroPipelineTests: XCTestCase {
    static let click = #"{"type":"record","name":"Click","fields":[{"name":"user_id","type":"string"},{"name":"amount","type":"double"},{"name":"n","type":["null","long"]},{"name":"page","type":{"type":"record","name":"Page","fields":[{"name":"host","type":"string"}]}},{"name":"ts","type":"long"}]}"#

    func derived(_ p: Pipeline) throws -> AvroResultSchema {
        let stage = try XCTUnwrap(p.job.stateful)
        return try ResultSchema.derive(job: p.job, operator: try stage.makeOperator())
    }

    func types(_ s: AvroResultSchema) -> [String: ResultFieldType] {
        Dictionary(uniqueKeysWithValues: s.fields.map { ($0.name, $0.type) })
    }

    /// Field types come from the reader schema (and `required`), or from expressions.
    func testTypesFromTheReaderSchemaAndExpressions() throws {
        let p = try XCTUnwrap(load("""
            name: clicks-avro
            source: {kafka: {topic: in}, format: avro, schema: '\(Self.click)', required: [n]}
            time: {eventTime: {field: ts, format: epochMillis}}
            steps:
              - keyBy: [user_id, "lower(page.host) as host", "amount > 10 as big"]
              - window: {tumbling: 1m}
              - aggregate: {clicks: count(), amount: sum(amount), n: sum(n), top: max(amount), first_host: first(page.host), hosts: "collect(page.host, 3)", any: last(page)}
            sink: {kafka: {topic: out}, format: avro, subjectStrategy: record}
            """))
        XCTAssertEqual(p.job.formats.subjectStrategy, .record)
        let s = try derived(p)
        XCTAssertEqual(s.fields.map(\.name), ["user_id", "host", "big", "window_start", "window_end", "clicks", "amount", "n", "top", "first_host", "hosts", "any"])
        let t = types(s)
        XCTAssertEqual(t["user_id"], .cells(.string))
        XCTAssertEqual(t["window_start"], .timestampMillis)
        XCTAssertEqual(t["clicks"], .cells(.int))
        XCTAssertEqual(t["amount"], .cells([.null, .double]))
        XCTAssertEqual(t["n"], .cells([.null, .int, .double]), "required: never null in, an int sum out (double on overflow)")
        XCTAssertEqual(t["top"], .cells([.null, .double]))
        XCTAssertEqual(t["first_host"], .cells([.null, .string]))
        XCTAssertEqual(t["hosts"], .list(.string))
        XCTAssertEqual(t["any"], .cells([.null, .json]))
        guard case .cells(let host)? = t["host"], case .cells(let big)? = t["big"] else { return XCTFail("\(t)") }
        XCTAssertTrue(host.nonNull == .string, "\(host)")
        XCTAssertTrue(big.nonNull == .bool, "\(big)")
        XCTAssertTrue(s.text.contains(#""name":"clicks_avro","namespace":"weir""#), s.text)
    }

    /// JSON input: a field read as it is can be anything.
    func testJSONInputFieldsCanBeAnything() throws {
        let p = try XCTUnwrap(load("""
            name: t
            source: {kafka: {topic: in}}
            steps:
              - keyBy: user_id
              - reduce: {total: sum(amount), last_amount: last(amount)}
            sink: {kafka: {topic: out}, format: avro}
            """))
        let t = types(try derived(p))
        XCTAssertEqual(t["user_id"], .cells(.any))
        XCTAssertEqual(t["total"], .cells([.null, .int, .double]))
        XCTAssertEqual(t["last_amount"], .cells(.any))
        XCTAssertNil(t["window_start"])
    }

    func testGivenSchemaIsMatchedByName() throws {
        let schema = #"{"type":"record","name":"R","fields":[{"name":"user_id","type":"string"},{"name":"window_start","type":"long"},{"name":"clicks","type":"long"},{"name":"note","type":"string","default":"-"}]}"#
        let p = try XCTUnwrap(load("""
            name: t
            source: {kafka: {topic: in}}
            time: {eventTime: {field: ts}}
            steps:
              - keyBy: user_id
              - window: {tumbling: 1m}
              - aggregate: {clicks: count()}
            sink: {kafka: {topic: out}, format: avro, schema: '\(schema)'}
            """))
        XCTAssertEqual(p.job.formats.output?.recordName, "R")
    }

    func testGivenSchemaThatCannotHoldTheResultsRefused() {
        let wrongType = #"{"type":"record","name":"R","fields":[{"name":"clicks","type":"string"}]}"#
        assertRefused("""
            name: t
            source: {kafka: {topic: in}}
            time: {eventTime: {field: ts}}
            steps:
              - keyBy: user_id
              - window: {tumbling: 1m}
              - aggregate: {clicks: count()}
            sink: {kafka: {topic: out}, format: avro, schema: '\(wrongType)'}
            """, line: 8, column: 51, field: "sink.schema", "output schema field 'clicks' is string, but the result can be integer")
        let extra = #"{"type":"record","name":"R","fields":[{"name":"clicks","type":"long"},{"name":"region","type":"string"}]}"#
        assertRefused("""
            name: t
            source: {kafka: {topic: in}}
            time: {eventTime: {field: ts}}
            steps:
              - keyBy: user_id
              - window: {tumbling: 1m}
              - aggregate: {clicks: count()}
            sink: {kafka: {topic: out}, format: avro, schema: '\(extra)'}
            """, line: 8, column: 51, field: "sink.schema", "'region' is not a result field (the results have: user_id, window_start, window_end, clicks) and has no default")
        let notArray = #"{"type":"record","name":"R","fields":[{"name":"pages","type":"string"}]}"#
        assertRefused("""
            name: t
            source: {kafka: {topic: in}}
            steps:
              - keyBy: user_id
              - reduce: {pages: "collect(page, 3)"}
            sink: {kafka: {topic: out}, format: avro, schema: '\(notArray)'}
            """, line: 6, column: 51, field: "sink.schema", "is an array (collect)")
    }

    func testResultNamesAvroCannotHoldRefused() {
        assertRefused("""
            name: t
            source: {kafka: {topic: in}}
            steps:
              - keyBy: {user-id: user_id}
              - reduce: {n: count()}
            sink: {kafka: {topic: out}, format: avro}
            """, line: 4, column: 13, field: "steps[0].keyBy.user-id", "key field 'user-id' is not a valid Avro field name")
        assertRefused("""
            name: t
            source: {kafka: {topic: in}}
            steps:
              - keyBy: user_id
              - reduce: {n clicks: count()}
            sink: {kafka: {topic: out}, format: avro}
            """, line: 5, column: 14, field: "steps[1].reduce.n clicks", "'n clicks' is not a valid Avro field name")
    }

    func testWindowResultsAsJSONSchemaStillRefused() {
        assertRefused("""
            name: t
            source: {kafka: {topic: in}}
            steps:
              - keyBy: user_id
              - reduce: {n: count()}
            sink: {kafka: {topic: out}, format: json-schema, schema: '{"type":"object"}'}
            """, line: 6, column: 7, field: "sink", "format json-schema on their sink is not supported yet")
    }

    /// pipelines/clicks-per-user-avro.yaml derives the schema docs/avro.md shows.
    func testExamplePipelineSchema() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let p = try PipelineLoader.load(path: root.appendingPathComponent("pipelines/clicks-per-user-avro.yaml").path)
        XCTAssertEqual(p.job.sink.format, .avro)
        XCTAssertNil(p.job.formats.output)
        let nullableNumber = #"["null","long","double"],"default":null}"#
        XCTAssertEqual(try derived(p).text, #"{"type":"record","name":"clicks_per_user_avro","namespace":"weir","#
            + #""doc":"Window results (keyBy + window + aggregate) of the Weir pipeline clicks-per-user-avro","fields":["#
            + #"{"name":"user_id","type":"string"},"#
            + #"{"name":"window_start","type":{"type":"long","logicalType":"timestamp-millis"}},"#
            + #"{"name":"window_end","type":{"type":"long","logicalType":"timestamp-millis"}},"#
            + #"{"name":"clicks","type":"long"},"#
            + #"{"name":"amount","type":"# + nullableNumber + ","
            + #"{"name":"min_amount","type":"# + nullableNumber + ","
            + #"{"name":"max_amount","type":"# + nullableNumber + "]}")
    }
}
