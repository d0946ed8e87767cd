import Foundation
import XCTest
import WeirEngine
import WeirFormats
import WeirKafka
import WeirPipelines
import WeirSchemaRegistry

/// Confluent's own Python client (confluent-kafka's Avro and JSON Schema
/// serializers, fastavro underneath; installed by scripts/install-deps.sh)
/// against Weir on the embedded broker and registry, both ways.
final class ConfluentInteropTests: XCTestCase {
    static let interop = repoRoot.appendingPathComponent("Tests/weirTests/interop")
    static let count = 200

    var broker: EmbeddedBroker!
    var registry: EmbeddedSchemaRegistry!
    var registryURL = ""

    override func setUp() async throws {
        broker = try EmbeddedBroker(brokers: 1)
        registry = try EmbeddedSchemaRegistry(directory: nil)
        registryURL = try await registry.start()
    }

    override func tearDown() async throws {
        await registry.stop()
        broker.close()
    }

    /// Runs the interop script; fails the test (never skips) when Python or its packages are missing.
    @discardableResult
    func python(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.interop.appendingPathComponent("confluent_interop.py").path] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw NSError(domain: "interop", code: Int(p.terminationStatus), userInfo: [NSLocalizedDescriptionKey:
                "python \(args.first ?? "") failed (run scripts/install-deps.sh): \(String(decoding: stderr, as: UTF8.self))"])
        }
        return String(decoding: stdout, as: UTF8.self)
    }

    func run(_ yaml: String, records: Int) async throws -> Job {
        let pipeline = try PipelineLoader.load(yaml: yaml, file: "interop.yaml")
        for t in pipeline.job.topics { try? broker.createTopic(t, partitions: 2) }
        let job = Job(spec: pipeline.job, runtime: RuntimeConfig(kafka: KafkaConfig(bootstrapServers: broker.bootstrapServers),
                                                                instanceID: "interop", checkpointIntervalMs: 200))
        let runner = Task { try await job.run() }
        let deadline = Date().addingTimeInterval(60)
        while job.metrics.processed < records && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        job.stop()
        try await runner.value
        XCTAssertEqual(job.metrics.processed, records)
        XCTAssertEqual(job.metrics.deadLettered, 0)
        return job
    }

    func lines(_ text: String) throws -> [JSONValue] {
        try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    func number(_ v: JSONValue?) -> Double? {
        switch v {
        case .int(let i)?: return Double(i)
        case .double(let d)?: return d
        case .string(let s)?: return Double(s)
        default: return nil
        }
    }

    /// Python serializes Avro (every type, logical types included) → Weir decodes every field right.
    func testPythonAvroSerializerToWeir() async throws {
        try broker.createTopic("py-avro-in", partitions: 2)
        let expectedFile = NSTemporaryDirectory() + "interop-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: expectedFile) }
        try python(["produce-avro", broker.bootstrapServers, registryURL, "py-avro-in",
                    Self.interop.appendingPathComponent("interop.avsc").path, "\(Self.count)", expectedFile])
        let expected = try lines(String(contentsOfFile: expectedFile, encoding: .utf8))
        XCTAssertEqual(expected.count, Self.count)
        _ = try await run("""
            name: py-avro
            source: {kafka: {topic: py-avro-in}, format: avro}
            steps:
              - map: {city: address.city, zip: address.zip, price2: "price * 2", color_lower: "lower(color)"}
            sink: {kafka: {topic: py-avro-out}, format: json}
            schemaRegistry: {url: "\(registryURL)"}
            """, records: Self.count)
        let out = try readAll(topic: "py-avro-out", bootstrap: broker.bootstrapServers, atLeast: Self.count)
        XCTAssertEqual(out.count, Self.count)
        var byID: [Int64: JSONValue] = [:]
        for e in expected { if case .int(let id)? = e["id"] { byID[id] = e } }
        var seen = Set<Int64>()
        for r in out {
            let text = String(decoding: r.value, as: UTF8.self)
            let o = try JSONValue.parse(text)
            guard case .int(let id)? = o["id"], let want = byID[id] else { XCTFail("unexpected \(text)"); continue }
            XCTAssertTrue(seen.insert(id).inserted)
            for k in ["id", "name", "small", "active", "nick", "color", "address", "tags", "counts", "blob", "hash", "birthday", "created", "updated"] {
                XCTAssertEqual(o[k], want[k], "\(k) of record \(id)")
            }
            XCTAssertEqual(number(o["ratio"]), number(want["ratio"]), "ratio of \(id)")
            XCTAssertEqual(number(o["score"]), number(want["score"]), "score of \(id)")
            // The decimal's exact text, scale digits included, as Python's Decimal prints it.
            if case .string(let price)? = want["price"] { XCTAssertTrue(text.contains("\"price\":\(price)"), "price \(price) in \(text)") }
            XCTAssertEqual(o["city"], want["address"]?["city"])
            XCTAssertEqual(o["zip"], want["address"]?["zip"])
            XCTAssertEqual(number(o["price2"]) ?? .nan, (number(want["price"]) ?? .nan) * 2, accuracy: 1e-9)
            XCTAssertEqual(o["color_lower"], want["color"]?.stringValue.map { .string($0.lowercased()) })
        }
    }

    /// Weir encodes Avro (schema registered under `<topic>-value`) → Python's AvroDeserializer reads every field right.
    func testWeirAvroToPythonDeserializer() async throws {
        var inputs: [JSONValue] = []
        for i in 0..<Self.count {
            inputs.append(.object([
                "id": .int(Int64(i)), "name": .string("n\(i) é😀"), "small": .int(Int64(i % 2 == 0 ? i : -i)),
                "ratio": .double(Double(i) * 0.25), "score": .double(Double(i) / 3), "active": .bool(i % 2 == 0),
                "nick": i % 3 == 0 ? .null : .string("nick\(i)"), "color": .string(["RED", "GREEN", "BLUE"][i % 3]),
                "address": .object(["city": .string("c\(i % 7)"), "zip": i % 4 == 0 ? .null : .int(Int64(10_000 + i))]),
                "tags": .array((0..<(i % 4)).map { .string("t\($0)") }), "counts": .object(["a": .int(Int64(i))]),
                "blob": .string("b\(i)"), "hash": .string("h\(String(format: "%03d", i % 1000))"),
                "price": .double(Double(i * 137 - 5000) / 100), "birthday": .int(Int64(i * 11)),
                "created": .int(1_764_064_800_123 + Int64(i)), "updated": .int(1_764_064_800_123_456 + Int64(i)),
            ]))
        }
        try broker.createTopic("w-json-in", partitions: 2)
        try produceAll(inputs.map { ("k", Array($0.text.utf8)) }, topic: "w-json-in", bootstrap: broker.bootstrapServers)
        let schema = Self.interop.appendingPathComponent("interop.avsc").path
        _ = try await run("""
            name: weir-avro
            source: {kafka: {topic: w-json-in}, format: json}
            sink: {kafka: {topic: w-avro-out}, format: avro, schema: {file: "\(schema)"}}
            schemaRegistry: {url: "\(registryURL)"}
            """, records: Self.count)
        let got = try lines(try python(["consume-avro", broker.bootstrapServers, registryURL, "w-avro-out", "\(Self.count)"]))
        XCTAssertEqual(got.count, Self.count)
        var byID: [Int64: JSONValue] = [:]
        for g in got { if case .int(let id)? = g["id"] { byID[id] = g } }
        for input in inputs {
            guard case .int(let id)? = input["id"], let g = byID[id] else { XCTFail("record \(input.text) not read by Python"); continue }
            for k in ["name", "small", "active", "nick", "color", "address", "tags", "counts", "blob", "hash", "birthday", "created", "updated"] {
                XCTAssertEqual(g[k], input[k], "\(k) of \(id)")
            }
            XCTAssertEqual(number(g["ratio"]), number(input["ratio"]))
            XCTAssertEqual(number(g["score"]), number(input["score"]))
            XCTAssertEqual(g["price"]?.stringValue, String(format: "%.2f", number(input["price"]) ?? .nan), "price of \(id)")
        }
        let client = try SchemaRegistryClient(config: SchemaRegistryConfig(url: registryURL))
        let latest = try await client.latest(subject: "w-avro-out-value")
        XCTAssertEqual(latest.version, 1)
        try await client.shutdown()
    }

    /// JSON Schema framing both ways: Python's JSONSerializer → Weir; Weir's json-schema sink → Python's JSONDeserializer.
    func testJSONSchemaFramingBothWays() async throws {
        try broker.createTopic("py-json-in", partitions: 2)
        let expectedFile = NSTemporaryDirectory() + "interop-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: expectedFile) }
        let schema = Self.interop.appendingPathComponent("reading.schema.json").path
        try python(["produce-json", broker.bootstrapServers, registryURL, "py-json-in", schema, "\(Self.count)", expectedFile])
        let expected = try lines(String(contentsOfFile: expectedFile, encoding: .utf8))
        _ = try await run("""
            name: json-schema-roundtrip
            source: {kafka: {topic: py-json-in}, format: json-schema}
            steps:
              - map: {doubled: "reading * 2"}
            sink: {kafka: {topic: w-json-out}, format: json-schema, schema: {file: "\(schema)"}}
            schemaRegistry: {url: "\(registryURL)"}
            """, records: Self.count)
        let out = try readAll(topic: "w-json-out", bootstrap: broker.bootstrapServers, atLeast: Self.count)
        XCTAssertEqual(out.count, Self.count)
        XCTAssertTrue(out.allSatisfy { $0.value.first == 0 }, "every output record is Confluent-framed")
        let got = try lines(try python(["consume-json", broker.bootstrapServers, registryURL, "w-json-out", "\(Self.count)"]))
        XCTAssertEqual(got.count, Self.count)
        var byN: [Int64: JSONValue] = [:]
        for g in got { if case .int(let n)? = g["n"] { byN[n] = g } }
        for e in expected {
            guard case .int(let n)? = e["n"], let g = byN[n] else { XCTFail("missing \(e.text)"); continue }
            XCTAssertEqual(g["sensor"], e["sensor"]); XCTAssertEqual(g["ok"], e["ok"])
            XCTAssertEqual(number(g["reading"]), number(e["reading"]))
            XCTAssertEqual(number(g["doubled"]), (number(e["reading"]) ?? .nan) * 2)
        }
    }

    /// Window results written as Avro (schema derived from the pipeline, registered under
    /// `<topic>-value`) → Python's AvroDeserializer reads every row, every field right.
    func testWeirWindowedAvroToPythonDeserializer() async throws {
        let base: Int64 = 1_795_600_800_000                    // a minute boundary
        struct Window { var clicks = 0; var cents: Int64 = 0; var lo = Int64.max; var hi = Int64.min; var pages: [String] = [] }
        var expected: [String: Window] = [:]                    // "user|window_start"
        var inputs: [(String, [UInt8])] = []
        for i in 0..<600 {
            let user = "u\(i % 10)"
            let ts = base + Int64(i) * 500                      // five minutes, in order per user
            var cents = Int64((i * 37) % 5000 + 1)
            if i % 7 == 0 { cents = (cents / 100 + 1) * 100 }   // some whole amounts, written as JSON integers
            let amount = cents % 100 == 0 ? "\(cents / 100)" : String(format: "%lld.%02lld", cents / 100, cents % 100)
            let page = "/p\(i % 4)"
            inputs.append((user, Array(#"{"user_id":"\#(user)","ts":\#(ts),"amount":\#(amount),"cents":\#(cents),"page":"\#(page)"}"#.utf8)))
            let start = ts - (ts - base) % 60_000
            var w = expected["\(user)|\(start)", default: Window()]
            w.clicks += 1; w.cents += cents; w.lo = min(w.lo, cents); w.hi = max(w.hi, cents)
            if w.pages.count < 3 { w.pages.append(page) }
            expected["\(user)|\(start)"] = w
        }
        XCTAssertEqual(expected.count, 50)
        try broker.createTopic("w-win-in", partitions: 2)
        try produceAll(inputs, topic: "w-win-in", bootstrap: broker.bootstrapServers)
        let pipeline = try PipelineLoader.load(yaml: """
            name: windowed-avro
            source: {kafka: {topic: w-win-in, keyedBy: [user_id]}}   # produced keyed by user_id
            time: {eventTime: {field: ts, format: epochMillis}}
            steps:
              - keyBy: [user_id]
              - window: {tumbling: 1m}
              - aggregate: {clicks: count(), amount: sum(amount), cents: sum(cents), lo: min(amount), hi: max(amount), avg_amount: avg(amount), pages: "collect(page, 3)"}
            sink: {kafka: {topic: w-win-out}, format: avro}
            schemaRegistry: {url: "\(registryURL)"}
            """, file: "interop.yaml")
        try? broker.createTopic("w-win-out", partitions: 2)
        let job = Job(spec: pipeline.job, runtime: RuntimeConfig(kafka: KafkaConfig(bootstrapServers: broker.bootstrapServers),
                                                                instanceID: "interop", checkpointIntervalMs: 200))
        let runner = Task { try await job.run() }
        let deadline = Date().addingTimeInterval(60)
        while job.metrics.processed < inputs.count && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        job.stop(flush: true)                                  // the input has ended: fire the last windows
        try await runner.value
        XCTAssertEqual(job.metrics.processed, inputs.count)
        XCTAssertEqual(job.metrics.deadLettered, 0)
        XCTAssertEqual(job.metrics.late, 0)

        let got = try lines(try python(["consume-avro-rows", broker.bootstrapServers, registryURL, "w-win-out", "\(expected.count)"]))
        XCTAssertEqual(got.count, expected.count)
        var seen = Set<String>()
        for g in got {
            guard case .string(let user)? = g["user_id"], case .int(let start)? = g["window_start"], let want = expected["\(user)|\(start)"] else {
                XCTFail("unexpected row \(g.text)"); continue
            }
            XCTAssertTrue(seen.insert("\(user)|\(start)").inserted, "one row per window: \(g.text)")
            XCTAssertEqual(g["window_end"], .int(start + 60_000))
            XCTAssertEqual(g["clicks"], .int(Int64(want.clicks)), g.text)
            XCTAssertEqual(g["cents"], .int(want.cents), "an int sum stays an int: \(g.text)")
            // Sums exact to the decimal: the double nearest to cents / 100, nothing else.
            XCTAssertEqual(number(g["amount"]), Double(want.cents) / 100, g.text)
            XCTAssertEqual(number(g["lo"]), Double(want.lo) / 100, g.text)
            XCTAssertEqual(number(g["hi"]), Double(want.hi) / 100, g.text)
            XCTAssertEqual(number(g["avg_amount"]), Double(want.cents) / Double(100 * want.clicks), g.text)
            XCTAssertEqual(g["pages"], .array(want.pages.map { .string($0) }), g.text)
        }
        XCTAssertEqual(seen.count, expected.count)

        // Registered under the topic's subject, with timestamps as timestamp-millis.
        let client = try SchemaRegistryClient(config: SchemaRegistryConfig(url: registryURL))
        let latest = try await client.latest(subject: "w-win-out-value")
        try await client.shutdown()
        XCTAssertEqual(latest.version, 1)
        let schema = try AvroSchema(parsing: latest.schema)
        guard case .record(let r) = schema.root else { return XCTFail("not a record: \(latest.schema)") }
        XCTAssertEqual(r.fullName, "weir.windowed_avro")
        XCTAssertEqual(r.fields.map(\.name), ["user_id", "window_start", "window_end", "clicks", "amount", "cents", "lo", "hi", "avg_amount", "pages"])
        XCTAssertEqual(r.field(named: "window_start")?.type.logicalType, .timestampMillis)
        let raw = try readAll(topic: "w-win-out", bootstrap: broker.bootstrapServers, atLeast: expected.count)
        XCTAssertTrue(raw.allSatisfy { Array($0.value.prefix(5)) == ConfluentFrame.header(schemaID: UInt32(latest.id)) }, "every row framed with the registered id")
    }
}
