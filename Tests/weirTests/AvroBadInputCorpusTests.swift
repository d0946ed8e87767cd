import Foundation
import XCTest
import WeirEngine
import WeirFormats
import WeirKafka
import WeirPipelines
import WeirSchemaRegistry

/// An Avro pipeline on the embedded broker and registry fed 1,500 good records
/// interleaved with 1,200 generated malformed payloads: the job never stops,
/// every bad record lands in the dead-letter topic with its original bytes and
/// reason, every good record is in the output exactly once with its fields right.
final class AvroBadInputCorpusTests: XCTestCase {
    static let writer = #"{"type":"record","name":"Order","namespace":"corpus","fields":[{"name":"id","type":"long"},{"name":"user_id","type":["null","string"],"default":null},{"name":"amount","type":"double"},{"name":"tags","type":{"type":"array","items":"string"}}]}"#
    /// Same record name, `amount` a string: cannot be read with the reader schema.
    static let wrongTypes = #"{"type":"record","name":"Order","namespace":"corpus","fields":[{"name":"id","type":"long"},{"name":"user_id","type":["null","string"],"default":null},{"name":"amount","type":"string"},{"name":"tags","type":{"type":"array","items":"string"}}]}"#

    func pipelineYAML(registry: String) -> String {
        """
        name: avro-corpus
        source:
          kafka: {topic: corpus-in}
          format: avro
          schema: '\(Self.writer)'
          required: [user_id]
        steps:
          - map: {cents: "round(amount * 100)"}
        sink:
          kafka: {topic: corpus-out}
          format: json
        deadLetter: {topic: corpus-dlq}
        schemaRegistry: {url: "\(registry)"}
        parallelism: 2
        """
    }

    struct Bad { var bytes: [UInt8]?; var reason: String }

    func testMalformedPayloadsAreDeadLetteredAndGoodOnesPassExactlyOnce() async throws {
        let registry = try EmbeddedSchemaRegistry(directory: nil)
        let url = try await registry.start()
        let client = try SchemaRegistryClient(config: SchemaRegistryConfig(url: url))
        let goodID = UInt32(try await client.register(subject: "corpus-in-value", schema: Self.writer))
        try await client.setCompatibility("NONE", subject: "other-value")
        let wrongID = UInt32(try await client.register(subject: "other-value", schema: Self.wrongTypes))
        let schema = try AvroSchema(parsing: Self.writer)
        let wrongSchema = try AvroSchema(parsing: Self.wrongTypes)

        var rng = SystemRandomNumberGenerator()
        func good(_ id: Int) -> (json: JSONValue, bytes: [UInt8]) {
            let j = JSONValue.object(["id": .int(Int64(id)), "user_id": .string("u\(id % 97)"),
                                      "amount": .double(Double(id) + 0.25), "tags": .array([.string("t\(id % 3)"), .string("é")])])
            return (j, AvroRowEncoder.encode(json: j, schema: schema, schemaID: goodID) ?? [])
        }
        let sample = good(1).bytes
        var bad: [Bad] = []
        for i in 0..<200 {                                        // truncated (every proper prefix is refused)
            let b = good(100_000 + i).bytes
            bad.append(Bad(bytes: Array(b.prefix(Int.random(in: 5..<b.count, using: &rng))), reason: "truncated"))
        }
        for _ in 0..<200 {                                        // random bytes (not framed)
            var b = (0..<Int.random(in: 1..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if b[0] == 0 { b[0] = 7 }
            bad.append(Bad(bytes: b, reason: "random"))
        }
        for i in 0..<150 {                                        // a record followed by random bytes
            let extra = (0..<Int.random(in: 1..<20, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            bad.append(Bad(bytes: good(200_000 + i).bytes + extra, reason: "trailing"))
        }
        let invalidUTF8: [[UInt8]] = [[0xC3, 0x28], [0xC0, 0xAF], [0xED, 0xA0], [0xFF, 0x41], [0x80, 0x41]]
        for i in 0..<150 {                                        // user_id with invalid UTF-8 (same length)
            let id = 300_000 + i
            var b = good(id).bytes
            let user = Array("u\(id % 97)".utf8)
            if let at = (0..<(b.count - user.count)).first(where: { Array(b[$0..<$0 + user.count]) == user }) {
                let seq = invalidUTF8[i % invalidUTF8.count]
                b[at] = seq[0]; b[at + 1] = seq[1]
            }
            bad.append(Bad(bytes: b, reason: "utf8"))
        }
        for i in 0..<150 {                                        // wrong magic byte
            var b = good(400_000 + i).bytes
            b[0] = UInt8(1 + i % 255)
            bad.append(Bad(bytes: b, reason: "magic"))
        }
        for i in 0..<100 {                                        // unknown schema id
            var b = good(500_000 + i).bytes
            b[1] = 0x7F; b[4] = UInt8(i % 256)
            bad.append(Bad(bytes: b, reason: "unknown id"))
        }
        for i in 0..<100 {                                        // wrong types (writer schema the reader cannot read)
            let j = JSONValue.object(["id": .int(Int64(600_000 + i)), "user_id": .string("x"), "amount": .string("12.5"), "tags": .array([])])
            bad.append(Bad(bytes: AvroRowEncoder.encode(json: j, schema: wrongSchema, schemaID: wrongID), reason: "types"))
        }
        for i in 0..<50 {                                         // required field null
            let j = JSONValue.object(["id": .int(Int64(700_000 + i)), "user_id": .null, "amount": .double(1), "tags": .array([])])
            bad.append(Bad(bytes: AvroRowEncoder.encode(json: j, schema: schema, schemaID: goodID), reason: "required"))
        }
        for _ in 0..<50 { bad.append(Bad(bytes: nil, reason: "null value")) }
        for _ in 0..<50 { bad.append(Bad(bytes: [], reason: "empty value")) }
        XCTAssertEqual(bad.count, 1_200)

        // Interleave 1,500 good records with them.
        var records: [(key: String, value: [UInt8]?, good: Int?)] = []
        var goodByID: [Int: JSONValue] = [:]
        var b = 0
        for id in 0..<1_500 {
            let g = good(id)
            goodByID[id] = g.json
            records.append(("k\(id)", g.bytes, id))
            if b < bad.count, Int.random(in: 0..<5, using: &rng) < 4 { records.append(("b\(b)", bad[b].bytes, nil)); b += 1 }
        }
        while b < bad.count { records.append(("b\(b)", bad[b].bytes, nil)); b += 1 }

        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        for t in ["corpus-in", "corpus-out", "corpus-dlq"] { try broker.createTopic(t, partitions: 4) }
        let producer = try KafkaProducer(config: KafkaConfig(bootstrapServers: broker.bootstrapServers))
        let input = try producer.topic("corpus-in")
        for r in records {
            try Array(r.key.utf8).withUnsafeBytes { k in
                if let v = r.value { try v.withUnsafeBytes { try producer.produce(input, key: k, value: $0) } }
                else { try producer.produce(input, key: k, value: nil) }
            }
        }
        // A 10 MB value: librdkafka refuses it at produce (message.max.bytes, 1 MB by default).
        let huge = sample + [UInt8](repeating: 0x41, count: 10 << 20)
        XCTAssertThrowsError(try huge.withUnsafeBytes { try producer.produce(input, key: nil, value: $0) }) { e in
            XCTAssertTrue("\(e)".lowercased().contains("size") || "\(e)".lowercased().contains("large"), "\(e)")
        }
        try producer.flush(timeoutMs: 30_000)
        XCTAssertEqual(producer.deliveryStats.failed, 0)

        let pipeline = try PipelineLoader.load(yaml: pipelineYAML(registry: url), file: "avro-corpus.yaml")
        let job = Job(spec: pipeline.job, runtime: RuntimeConfig(kafka: KafkaConfig(bootstrapServers: broker.bootstrapServers),
                                                                instanceID: "corpus", checkpointIntervalMs: 200))
        let runner = Task { try await job.run() }
        let deadline = Date().addingTimeInterval(90)
        while job.metrics.processed < records.count && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        job.stop()
        try await runner.value
        let m = job.metrics
        XCTAssertEqual(m.processed, records.count)
        XCTAssertEqual(m.deadLettered, bad.count)
        XCTAssertEqual(m.emitted, 1_500)

        let out = try readAll(topic: "corpus-out", bootstrap: broker.bootstrapServers, atLeast: 1_500)
        XCTAssertEqual(out.count, 1_500)
        var seen = Set<Int>()
        for r in out {
            let o = try JSONValue.parse(String(decoding: r.value, as: UTF8.self))
            guard case .int(let id64)? = o["id"], let want = goodByID[Int(id64)] else { XCTFail("unexpected output \(o.text)"); continue }
            let id = Int(id64)
            XCTAssertTrue(seen.insert(id).inserted, "\(id) twice")
            XCTAssertEqual(o["user_id"], want["user_id"]); XCTAssertEqual(o["amount"], want["amount"]); XCTAssertEqual(o["tags"], want["tags"])
            XCTAssertEqual(o["cents"], .int(Int64(id) * 100 + 25))
        }

        let dead = try readAll(topic: "corpus-dlq", bootstrap: broker.bootstrapServers, atLeast: bad.count)
        XCTAssertEqual(dead.count, bad.count)
        var expected: [[UInt8]: Int] = [:]
        for x in bad { expected[x.bytes ?? [], default: 0] += 1 }
        var classes: [String: Int] = [:]
        for r in dead {
            XCTAssertEqual(r.headers["weir.pipeline"], "avro-corpus")
            XCTAssertEqual(r.headers["weir.source.topic"], "corpus-in")
            XCTAssertNotNil(r.headers["weir.source.partition"].flatMap(Int.init))
            XCTAssertNotNil(r.headers["weir.source.offset"].flatMap(Int64.init))
            XCTAssertFalse((r.headers["weir.error.message"] ?? "").isEmpty)
            classes[r.headers["weir.error.class"] ?? "?", default: 0] += 1
            if let n = expected[r.value], n > 0 { expected[r.value] = n - 1 } else { XCTFail("dead letter with bytes not from the corpus") }
        }
        XCTAssertEqual(classes["missingValue"], 100)
        XCTAssertEqual(classes["missingField"], 50)
        XCTAssertEqual(classes["decode"], 1_050)
        try await client.shutdown()
        await registry.stop()
    }

    /// The 10 MB value cannot be produced to the embedded broker; the same
    /// bytes through the job's real per-record path are refused by the decoder's
    /// size limit and dead-lettered.
    func testTenMegabyteValueIsRefusedByTheDecodersSizeLimit() async throws {
        let registry = try EmbeddedSchemaRegistry(directory: nil)
        let url = try await registry.start()
        let client = try SchemaRegistryClient(config: SchemaRegistryConfig(url: url))
        let id = UInt32(try await client.register(subject: "corpus-in-value", schema: Self.writer))
        let schema = try AvroSchema(parsing: Self.writer)
        let big = JSONValue.object(["id": .int(1), "user_id": .string(String(repeating: "x", count: 10 << 20)),
                                    "amount": .double(1), "tags": .array([])])
        let bytes = try XCTUnwrap(AvroRowEncoder.encode(json: big, schema: schema, schemaID: id))
        XCTAssertGreaterThan(bytes.count, 10 << 20)
        let pipeline = try PipelineLoader.load(yaml: pipelineYAML(registry: url), file: "avro-corpus.yaml")
        let chain = try RecordChain(job: pipeline.job)
        let sink = CapturingSink()
        try bytes.withUnsafeBytes { try chain.process(value: $0, key: nil, kafkaTimestampMs: nil, partition: 0, nowMs: 0, sink: sink) }
        XCTAssertEqual(sink.emitted, 0)
        XCTAssertEqual(sink.deadLetters.count, 1)
        XCTAssertEqual(sink.deadLetters.first?.kind, .decode)
        XCTAssertTrue(sink.deadLetters.first?.message.contains("exceeds the limit") == true, sink.deadLetters.first?.message ?? "")
        try await client.shutdown()
        await registry.stop()
    }
}

final class CapturingSink: ChainSink {
    var emitted = 0
    var deadLetters: [ProcessingError] = []
    func emit(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws { emitted += 1 }
    func deadLetter(_ error: ProcessingError) throws { deadLetters.append(error) }
    func late() throws {}
}
