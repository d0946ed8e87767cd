import Foundation
import XCTest
import WeirEngine
import WeirFormats
import WeirKafka
import WeirPipelines
import WeirSchemaRegistry

/// A producer evolves its schema while records flow: v1 → v2 adds a defaulted
/// field (`email`) and removes one (`legacy`, which had a default). The
/// registry accepts v2 under FULL compatibility; a job with the v2 reader
/// schema and one with the v1 reader schema both read every record of both
/// versions, defaults filled in.
final class AvroEvolutionEndToEndTests: XCTestCase {
    static let v1 = #"{"type":"record","name":"User","namespace":"evo","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"},{"name":"legacy","type":"int","default":7}]}"#
    static let v2 = #"{"type":"record","name":"User","namespace":"evo","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"},{"name":"email","type":"string","default":"none"}]}"#

    func testV1AndV2RecordsReadWithEitherReaderSchema() async throws {
        let registry = try EmbeddedSchemaRegistry(directory: nil)
        let url = try await registry.start()
        let client = try SchemaRegistryClient(config: SchemaRegistryConfig(url: url))
        try await client.setCompatibility("FULL", subject: "users-value")
        let id1 = UInt32(try await client.register(subject: "users-value", schema: Self.v1))
        let id2 = UInt32(try await client.register(subject: "users-value", schema: Self.v2))
        XCTAssertNotEqual(id1, id2)
        let s1 = try AvroSchema(parsing: Self.v1), s2 = try AvroSchema(parsing: Self.v2)

        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        try broker.createTopic("users", partitions: 2)
        var records: [(String, [UInt8])] = []
        for i in 0..<50 {
            records.append(("a", AvroRowEncoder.encode(json: .object(["id": .int(Int64(i)), "name": .string("v1-\(i)"), "legacy": .int(Int64(100 + i))]), schema: s1, schemaID: id1) ?? []))
        }
        for i in 50..<100 {
            records.append(("b", AvroRowEncoder.encode(json: .object(["id": .int(Int64(i)), "name": .string("v2-\(i)"), "email": .string("u\(i)@x")]), schema: s2, schemaID: id2) ?? []))
        }
        try produceAll(records, topic: "users", bootstrap: broker.bootstrapServers)

        for (reader, outTopic) in [(Self.v2, "users-v2"), (Self.v1, "users-v1")] {
            let yaml = """
                name: evo-\(outTopic)
                source: {kafka: {topic: users}, format: avro, schema: '\(reader)'}
                sink: {kafka: {topic: \(outTopic)}, format: json}
                deadLetter: {topic: \(outTopic)-dlq}
                schemaRegistry: {url: "\(url)"}
                parallelism: 1
                """
            let job = Job(spec: try PipelineLoader.load(yaml: yaml, file: "evo.yaml").job,
                          runtime: RuntimeConfig(kafka: KafkaConfig(bootstrapServers: broker.bootstrapServers), instanceID: "evo", checkpointIntervalMs: 200))
            let runner = Task { try await job.run() }
            let deadline = Date().addingTimeInterval(60)
            while job.metrics.processed < 100 && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
            job.stop()
            try await runner.value
            XCTAssertEqual(job.metrics.deadLettered, 0, outTopic)
            let out = try readAll(topic: outTopic, bootstrap: broker.bootstrapServers, atLeast: 100)
            XCTAssertEqual(out.count, 100, outTopic)
            for r in out {
                let o = try JSONValue.parse(String(decoding: r.value, as: UTF8.self))
                guard case .int(let id)? = o["id"] else { XCTFail("no id"); continue }
                if outTopic == "users-v2" {
                    XCTAssertNil(o["legacy"], "the v2 reader drops legacy")
                    XCTAssertEqual(o["email"], .string(id < 50 ? "none" : "u\(id)@x"), "email of \(id)")
                } else {
                    XCTAssertNil(o["email"], "the v1 reader ignores email")
                    XCTAssertEqual(o["legacy"], .int(id < 50 ? 100 + id : 7), "legacy of \(id)")
                }
                XCTAssertEqual(o["name"], .string(id < 50 ? "v1-\(id)" : "v2-\(id)"))
            }
        }
        try await client.shutdown()
        await registry.stop()
    }
}
