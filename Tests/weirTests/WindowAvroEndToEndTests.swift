import Foundation
import XCTest
import WeirEngine
import WeirFormats
import WeirKafka
import WeirPipelines
import WeirSchemaRegistry

/// Stateful results as Avro on the embedded broker and registry, read back
/// with the project's decoder: a reduce with the derived schema under the
/// record-name subject strategy, and windows with a schema the pipeline gives.
final class WindowAvroEndToEndTests: XCTestCase {
    var broker: EmbeddedBroker!
    var registry: EmbeddedSchemaRegistry!
    var client: SchemaRegistryClient!
    var url = ""

    override func setUp() async throws {
        broker = try EmbeddedBroker(brokers: 1)
        registry = try EmbeddedSchemaRegistry(directory: nil)
        url = try await registry.start()
        client = try SchemaRegistryClient(config: SchemaRegistryConfig(url: url))
    }

    override func tearDown() async throws {
        try await client.shutdown()
        await registry.stop()
        broker.close()
    }

    /// Runs a pipeline over `inputs` (keyed by their first element), flushing windows at the end.
    func run(_ yaml: String, inputs: [(String, String)]) async throws -> Job {
        let pipeline = try PipelineLoader.load(yaml: yaml, file: "e2e.yaml")
        for t in pipeline.job.topics { try? broker.createTopic(t, partitions: 2) }
        try produceAll(inputs.map { ($0.0, Array($0.1.utf8)) }, topic: pipeline.job.source.topics[0], bootstrap: broker.bootstrapServers)
        let job = Job(spec: pipeline.job, runtime: RuntimeConfig(kafka: KafkaConfig(bootstrapServers: broker.bootstrapServers),
                                                                instanceID: "e2e", checkpointIntervalMs: 200))
        let runner = Task { try await job.run() }
        let deadline = Date().addingTimeInterval(60)
        while job.metrics.processed < inputs.count && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        job.stop(flush: true)
        try await runner.value
        XCTAssertEqual(job.metrics.processed, inputs.count)
        XCTAssertEqual(job.metrics.deadLettered, 0)
        return job
    }

    /// Every committed value of `topic`, decoded through the registry and rendered as JSON.
    func decoded(_ topic: String, atLeast n: Int) throws -> [JSONValue] {
        let decoder = AvroRowDecoder(fields: [], source: client, renderWhole: true)
        var row = Row(slotCount: 0)
        return try readAll(topic: topic, bootstrap: broker.bootstrapServers, atLeast: n).map { r in
            try r.value.withUnsafeBytes { try decoder.decode($0, into: &row) }
            return try JSONValue.parse(row.string(decoder.renderedSpan))
        }
    }

    func testReduceWithDerivedSchemaUnderTheRecordNameSubject() async throws {
        var inputs: [(String, String)] = []
        for i in 0..<40 { inputs.append(("k\(i % 4)", #"{"k":"k\#(i % 4)","n":\#(i),"tag":"t\#(i % 3)"}"#)) }
        _ = try await run("""
            name: running-totals
            source: {kafka: {topic: rt-in}, required: [k]}
            steps:
              - keyBy: ["toString(k) as k"]
              - reduce: {records: count(), total: sum(n), last_tag: last(tag)}
            sink: {kafka: {topic: rt-out}, format: avro, subjectStrategy: record}
            schemaRegistry: {url: "\(url)"}
            """, inputs: inputs)
        let latest = try await client.latest(subject: "weir.running_totals")
        XCTAssertTrue(latest.schema.contains(#"{"name":"k","type":"string"}"#), latest.schema)
        XCTAssertFalse(latest.schema.contains("window_start"), latest.schema)
        let rows = try decoded("rt-out", atLeast: inputs.count)
        XCTAssertEqual(rows.count, inputs.count, "a reduce emits after every record")
        // The last row of each key (the greatest count) has the key's totals.
        var final: [String: JSONValue] = [:]
        for r in rows {
            guard case .string(let k)? = r["k"], case .int(let c)? = r["records"] else { XCTFail("\(r.text)"); continue }
            if case .int(let prev)? = final[k]?["records"], prev >= c { continue }
            final[k] = r
        }
        for k in 0..<4 {
            let ns = (0..<40).filter { $0 % 4 == k }
            let row = try XCTUnwrap(final["k\(k)"])
            XCTAssertEqual(row["records"], .int(10))
            XCTAssertEqual(row["total"], .int(Int64(ns.reduce(0, +))))
            XCTAssertEqual(row["last_tag"], .string("t\((ns.last ?? 0) % 3)"))
        }
    }

    func testWindowsWithAGivenSchema() async throws {
        let schema = #"{"type":"record","name":"PerMinute","namespace":"shop","fields":[{"name":"user","type":"string"},{"name":"window_start","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"orders","type":"int"},{"name":"revenue","type":["null","double"],"default":null},{"name":"source","type":"string","default":"weir"}]}"#
        let base: Int64 = 1_795_600_800_000
        var inputs: [(String, String)] = []
        for i in 0..<30 { inputs.append(("u\(i % 3)", #"{"user":"u\#(i % 3)","ts":\#(base + Int64(i) * 4_000),"amount":\#(i).25}"#)) }
        _ = try await run("""
            name: given-schema
            source: {kafka: {topic: gs-in}}
            time: {eventTime: {field: ts}}
            steps:
              - keyBy: user
              - window: {tumbling: 1m}
              - aggregate: {orders: count(), revenue: sum(amount)}
            sink: {kafka: {topic: gs-out}, format: avro, schema: '\(schema)'}
            schemaRegistry: {url: "\(url)"}
            """, inputs: inputs)
        let latest = try await client.latest(subject: "gs-out-value")
        XCTAssertEqual(try AvroSchema(parsing: latest.schema).canonicalForm, try AvroSchema(parsing: schema).canonicalForm)
        let rows = try decoded("gs-out", atLeast: 6)
        XCTAssertEqual(rows.count, 6, "3 users × 2 minutes")
        for r in rows {
            guard case .string(let user)? = r["user"], case .int(let start)? = r["window_start"], let u = Int(user.dropFirst()) else { XCTFail(r.text); continue }
            let mine = (0..<30).filter { $0 % 3 == u && base + Int64($0) * 4_000 - start >= 0 && base + Int64($0) * 4_000 - start < 60_000 }
            XCTAssertEqual(r["orders"], .int(Int64(mine.count)), r.text)
            XCTAssertEqual(r["revenue"], .double(Double(mine.reduce(0, +)) + 0.25 * Double(mine.count)), r.text)
            XCTAssertEqual(r["source"], .string("weir"), "a field the results lack takes its default")
            XCTAssertNil(r["window_end"], "only the schema's fields")
        }
    }
}
