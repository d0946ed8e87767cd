import XCTest
import WeirEngine
import WeirFormats
@testable import WeirPipelines

/// `format: avro | json-schema`, `schema`, `required`, `subjectStrategy`, `schemaRegistry`.
final class FormatPipelineTests: XCTestCase {
    let out = #"{"type":"record","name":"Out","fields":[{"name":"user","type":"string"},{"name":"cents","type":"long"},{"name":"note","type":["null","string"],"default":null}]}"#

    func testAvroSourceWithReaderSchemaAndRequiredFields() throws {
        let p = try XCTUnwrap(load("""
            name: t
            source:
              kafka: {topic: in}
              format: avro
              schema: '{"type":"record","name":"E","fields":[{"name":"user_id","type":"string"},{"name":"ts","type":"long"}]}'
              required: [user_id, page.host]
            sink: {kafka: {topic: out}, format: json}
            schemaRegistry: {url: "http://localhost:8081", username: u, password: p, retries: 5}
            """))
        let job = p.job
        XCTAssertEqual(job.source.format, .avro)
        XCTAssertNotNil(job.formats.readerSchema)
        XCTAssertEqual(job.formats.registry?.url, "http://localhost:8081")
        XCTAssertEqual(job.formats.registry?.username, "u")
        XCTAssertEqual(job.formats.registry?.retries, 5)
        XCTAssertEqual(job.formats.required.map(\.name), ["user_id", "page.host"])
        for r in job.formats.required {
            XCTAssertEqual(job.program.inputFields[r.slot], FieldPath(parsing: r.name))
        }
    }

    func testAvroSinkBindsSchemaFieldsToSlots() throws {
        let p = try XCTUnwrap(load("""
            name: t
            source: {kafka: {topic: in}}
            steps:
              - map: {cents: "round(amount * 100)"}
              - rename: {user_id: user}
            sink: {kafka: {topic: out}, format: avro, schema: '\(out)', subjectStrategy: topic-record}
            """))
        let o = try XCTUnwrap(p.job.formats.output)
        XCTAssertEqual(o.kind, .avro)
        XCTAssertEqual(o.subjectStrategy, .topicRecord)
        XCTAssertEqual(o.subjectStrategy.subject(topic: "out", recordName: o.recordName), "out-Out")
        // user: the renamed input field; cents: computed; note: an input field of that name (kept record).
        let user = try XCTUnwrap(o.slots["user"]), note = try XCTUnwrap(o.slots["note"]), cents = try XCTUnwrap(o.slots["cents"])
        XCTAssertEqual(p.job.program.inputFields[user], FieldPath(["user_id"]))
        XCTAssertEqual(p.job.program.inputFields[note], FieldPath(["note"]))
        XCTAssertGreaterThanOrEqual(cents, p.job.program.inputFields.count, "computed slot")
    }

    func testAvroPassThroughNeedsNoSchema() {
        XCTAssertNotNil(load("name: t\nsource: {kafka: {topic: in}, format: avro}\nsteps:\n  - filter: \"x > 1\"\nsink: {kafka: {topic: out}, format: avro}\n"))
    }

    func testAvroSinkWithoutSchemaRefused() {
        assertRefused("name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out}, format: avro}\n",
                      line: 3, column: 7, field: "sink", "needs sink.schema")
    }

    func testOutputFieldWithoutSourceOrDefaultRefused() {
        assertRefused("""
            name: t
            source: {kafka: {topic: in}}
            steps:
              - select: [user_id]
            sink: {kafka: {topic: out}, format: avro, schema: '\(out)'}
            """, line: 5, column: 51, field: "sink.schema", "'user' is not in the output record")
    }

    func testInvalidReaderSchemaRefusedWithAvroCsReason() {
        assertRefused("name: t\nsource: {kafka: {topic: in}, format: avro, schema: '{\"type\":\"nope\"}'}\nsink: {kafka: {topic: out}}\n",
                      line: 2, column: 52, field: "source.schema", "invalid Avro schema")
    }

    func testReaderSchemaNeedsAvro() {
        assertRefused("name: t\nsource: {kafka: {topic: in}, schema: '\"string\"'}\nsink: {kafka: {topic: out}}\n",
                      line: 2, column: 38, field: "source.schema", "needs format avro")
    }

    func testUnknownSubjectStrategyRefused() {
        assertRefused("name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out}, format: avro, schema: '\(out)', subjectStrategy: bogus}\n",
                      line: 3, column: 0, field: "sink.subjectStrategy", "expected one of: topic, record, topic-record", columnChecked: false)
    }

    func testRegistryURLMustBeHTTP() {
        assertRefused("name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out}}\nschemaRegistry: {url: localhost:8081}\n",
                      line: 4, column: 23, field: "schemaRegistry.url", "http://")
    }

    func testAvroWindowInputWithJSONOutputLoads() throws {
        let p = try XCTUnwrap(load("""
            name: t
            source: {kafka: {topic: in}, format: avro, required: [user_id]}
            time: {eventTime: {field: ts, format: epochMillis}}
            steps:
              - keyBy: [user_id]
              - window: {tumbling: 1m}
              - aggregate: {n: count()}
            sink: {kafka: {topic: out}, format: json}
            """))
        XCTAssertNotNil(p.job.stateful)
        // Unkeyed source: the first stage reads Avro (with its required fields) and writes JSON to the repartition topic.
        let first = try XCTUnwrap(p.repartition?.job)
        XCTAssertEqual(first.source.format, .avro)
        XCTAssertEqual(first.formats.required.map(\.name), ["user_id"])
        XCTAssertEqual(first.sink.format, .json)
        XCTAssertEqual(p.job.source.format, .json)
        XCTAssertTrue(p.job.formats.required.isEmpty)
    }

    func testExampleAvroPipelineLoads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let p = try PipelineLoader.load(path: root.appendingPathComponent("pipelines/avro-clicks-to-json.yaml").path)
        XCTAssertEqual(p.job.source.format, .avro)
        XCTAssertEqual(p.job.sink.format, .json)
        XCTAssertNotNil(p.job.formats.readerSchema)
        XCTAssertEqual(p.job.formats.required.map(\.name), ["user_id", "ts"])
    }
}
