import Foundation
import Logging
import XCTest
import WeirEngine
import WeirFormats
import WeirJobs
import WeirKafka
import WeirPipelines
import WeirSchemaRegistry

/// A stateless Avro pipeline writing Parquet with neither `columns` nor
/// `source.schema`: the columns come from the latest schema of the source's
/// subject, read over HTTP from the embedded schema registry when the job
/// starts (`PipelineJobs` → `RegistryColumns`). A record of a newer schema
/// version, registered after the start, is read with the start's schema as
/// reader schema (its new field is not written). No registry, no subject or
/// an unreachable registry: the start fails naming the subject and the fix.
final class FilesSinkRegistryColumnsTests: XCTestCase {
    static let v1 = #"{"type":"record","name":"Click","namespace":"reg","fields":[{"name":"id","type":"long"},{"name":"user","type":["null","string"],"default":null},{"name":"tags","type":{"type":"map","values":"long"}}]}"#
    static let v2 = #"{"type":"record","name":"Click","namespace":"reg","fields":[{"name":"id","type":"long"},{"name":"user","type":["null","string"],"default":null},{"name":"tags","type":{"type":"map","values":"long"}},{"name":"extra","type":"string","default":"-"}]}"#

    private func pipeline(_ lake: String, registry: String?, registryExtra: String = "") -> String {
        """
        name: clicks-reg
        source: {kafka: {topic: clicks-reg, startFrom: earliest}, format: avro}
        sink:
          files: {path: \(lake), format: parquet}
        \(registry.map { "schemaRegistry: {url: \"\($0)\"\(registryExtra)}" } ?? "")
        parallelism: 1
        """
    }

    func testColumnsComeFromTheRegistryAtJobStart() async throws {
        let dir = try temporaryDirectory("files-sink-registry", self)
        let lake = dir.appendingPathComponent("lake").path
        let registry = try EmbeddedSchemaRegistry(directory: nil)
        let url = try await registry.start()
        let client = try SchemaRegistryClient(config: SchemaRegistryConfig(url: url))
        let p = try PipelineLoader.load(yaml: pipeline(lake, registry: url), file: "clicks.yaml")
        XCTAssertEqual(p.job.sink.files?.columnsFromSubject, "clicks-reg-value")
        XCTAssertEqual(p.job.sink.files?.columns.count, 0)

        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        try broker.createTopic("clicks-reg", partitions: 1)
        let runtime = RuntimeConfig(kafka: KafkaConfig(bootstrapServers: broker.bootstrapServers), instanceID: "reg", checkpointIntervalMs: 300)
        let logger = Logger(label: "test")

        // No subject yet: the start fails and says what to do.
        XCTAssertThrowsError(try PipelineJobs(pipeline: p, spec: p.job, runtime: runtime, createRepartitionTopic: false, logger: logger)) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains("clicks-reg-value") && m.contains("source.schema") && m.contains("columns"), m)
        }

        let id1 = UInt32(try await client.register(subject: "clicks-reg-value", schema: Self.v1))
        let jobs = try PipelineJobs(pipeline: p, spec: p.job, runtime: runtime, createRepartitionTopic: false, logger: logger)
        let spec = try XCTUnwrap(jobs.main.spec.sink.files)
        XCTAssertNil(spec.columnsFromSubject)
        XCTAssertEqual(spec.columns.map(\.name), ["id", "user", "tags"])
        XCTAssertEqual(spec.columns.map(\.typeText), ["int64", "string", "map<string,int64>"])
        XCTAssertEqual(spec.columns.map(\.nullable), [false, true, false])

        // After the start, the producer moves to v2 (a new field with a default).
        let id2 = UInt32(try await client.register(subject: "clicks-reg-value", schema: Self.v2))
        XCTAssertNotEqual(id1, id2)
        let s1 = try AvroSchema(parsing: Self.v1), s2 = try AvroSchema(parsing: Self.v2)
        let records: [(String, [UInt8])] = [
            ("a", try XCTUnwrap(AvroRowEncoder.encode(json: try JSONValue.parse(#"{"id": 1, "user": "ä", "tags": {"x": 1, "y": -2}}"#), schema: s1, schemaID: id1))),
            ("a", try XCTUnwrap(AvroRowEncoder.encode(json: try JSONValue.parse(#"{"id": 2, "user": null, "tags": {}}"#), schema: s1, schemaID: id1))),
            ("a", try XCTUnwrap(AvroRowEncoder.encode(json: try JSONValue.parse(#"{"id": 3, "user": "v2", "tags": {"z": 0}, "extra": "new"}"#), schema: s2, schemaID: id2))),
        ]
        try produceAll(records, topic: "clicks-reg", bootstrap: broker.bootstrapServers)
        let running = jobs.main
        let runner = Task { try await running.run() }
        let deadline = Date().addingTimeInterval(60)
        while running.metrics.processed < records.count && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        running.stop()
        try await runner.value
        XCTAssertEqual(running.metrics.deadLettered, 0)

        let script = #"""
        import glob, sys
        import duckdb, pyarrow.parquet as pq, pyarrow as pa
        files = sorted(glob.glob(sys.argv[1] + "/**/*.parquet", recursive=True))
        t = pa.concat_tables([pq.ParquetFile(f).read() for f in files])
        print("names", t.schema.names)
        rows = sorted(([r["id"], r["user"], dict(r["tags"])] for r in t.to_pylist()), key=lambda r: r[0])
        want = [[1, "ä", {"x": 1, "y": -2}], [2, None, {}], [3, "v2", {"z": 0}]]
        assert rows == want, rows
        d = duckdb.connect().execute("SELECT id, \"user\", tags FROM read_parquet(?) ORDER BY id", [files]).fetchall()
        def m(v): return dict(zip(v["key"], v["value"])) if isinstance(v, dict) and set(v) == {"key", "value"} else dict(v)
        assert [[i, u, m(g)] for i, u, g in d] == want, d
        print("ok", len(rows))
        """#
        let r = try runPython(["-c", script, lake])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("names ['id', 'user', 'tags']") && r.out.contains("ok 3"), r.out + r.err)
        try await client.shutdown()
        await registry.stop()
    }

    func testUnreachableOrMissingRegistryFailsTheStart() throws {
        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        let runtime = RuntimeConfig(kafka: KafkaConfig(bootstrapServers: broker.bootstrapServers), instanceID: "reg")
        // A port nothing listens on (discard, 9); no retries, so the refusal comes at once.
        let p = try PipelineLoader.load(yaml: pipeline("/tmp/unused-lake", registry: "http://127.0.0.1:9", registryExtra: ", retries: 0, timeoutMs: 2000"),
                                        file: "clicks.yaml")
        XCTAssertThrowsError(try PipelineJobs(pipeline: p, spec: p.job, runtime: runtime, createRepartitionTopic: false, logger: Logger(label: "t"))) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains("clicks-reg-value") && m.contains("could not be read") && m.contains("source.schema"), m)
        }
        let none = try PipelineLoader.load(yaml: pipeline("/tmp/unused-lake", registry: nil), file: "clicks.yaml")
        XCTAssertThrowsError(try PipelineJobs(pipeline: none, spec: none.job, runtime: runtime, createRepartitionTopic: false, logger: Logger(label: "t"))) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains("clicks-reg-value") && m.contains("no schema registry is configured"), m)
        }
    }
}
