import Foundation
import XCTest
import WeirEngine
import WeirFormats
import WeirKafka
import WeirPipelines

/// An Avro source writing Parquet with no declared `columns`: the columns take
/// the Avro source schema's types (long/int/double/float/boolean/string/enum,
/// bytes and fixed as BINARY, date, timestamp-millis/micros, decimals narrow
/// and wide, nullable unions as OPTIONAL, the rest REQUIRED; records as
/// groups, null ones included; a nullable record with no never-null field as
/// JSON text), a computed field its expression's type. Kafka on the embedded
/// broker, the real task loop; pyarrow and DuckDB read the types and values back.
final class FilesSinkAvroColumnsTests: XCTestCase {
    static let schema = """
    {"type": "record", "name": "Sale", "fields": [
      {"name": "id", "type": "long"},
      {"name": "qty", "type": "int"},
      {"name": "amount", "type": "double"},
      {"name": "ratio", "type": "float"},
      {"name": "paid", "type": "boolean"},
      {"name": "user", "type": "string"},
      {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B"]}},
      {"name": "payload", "type": "bytes"},
      {"name": "tag", "type": {"type": "fixed", "name": "Tag", "size": 2}},
      {"name": "day", "type": {"type": "int", "logicalType": "date"}},
      {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
      {"name": "tus", "type": {"type": "long", "logicalType": "timestamp-micros"}},
      {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
      {"name": "wide", "type": {"type": "bytes", "logicalType": "decimal", "precision": 30, "scale": 4}},
      {"name": "note", "type": ["null", "string"], "default": null},
      {"name": "score", "type": ["null", "long"], "default": null},
      {"name": "page", "type": {"type": "record", "name": "Page", "fields": [{"name": "host", "type": "string"}]}},
      {"name": "ship", "type": ["null", {"type": "record", "name": "Ship", "fields": [
        {"name": "city", "type": "string"}, {"name": "zip", "type": ["null", "string"]}]}]},
      {"name": "meta", "type": ["null", {"type": "record", "name": "Meta", "fields": [{"name": "a", "type": ["int", "null"]}]}]},
      {"name": "tags", "type": {"type": "array", "items": "string"}},
      {"name": "nums", "type": {"type": "array", "items": ["null", "long"]}},
      {"name": "opt", "type": ["null", {"type": "array", "items": "double"}]}
    ]}
    """

    /// A decimal's unscaled value as Avro's JSON form of its bytes (big-endian two's complement).
    private func decimalBytes(_ unscaled: Int128) -> String {
        var bytes: [UInt8] = []
        var v = unscaled
        repeat {
            bytes.insert(UInt8(truncatingIfNeeded: v), at: 0)
            v >>= 8
        } while !(v == 0 && bytes[0] < 0x80) && !(v == -1 && bytes[0] >= 0x80)
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    private func jsonString(_ s: String) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: s, options: [.fragmentsAllowed]), as: UTF8.self)
    }

    func testAvroSourceSchemaGivesTheParquetTypes() async throws {
        let dir = try temporaryDirectory("files-sink-avro", self)
        let lake = dir.appendingPathComponent("lake").path
        try Self.schema.write(to: dir.appendingPathComponent("sale.avsc"), atomically: true, encoding: .utf8)
        let pipeline = dir.appendingPathComponent("sales.yaml")
        try """
        name: sales-to-lake
        source:
          kafka: {topic: sales-in, startFrom: earliest}
          format: avro
          schema: {file: sale.avsc}
        steps:
          - map: {total: "amount * qty"}
        sink:
          files: {path: \(lake), format: parquet, partitionBy: [kind]}
        parallelism: 1
        """.write(to: pipeline, atomically: true, encoding: .utf8)
        var job = try PipelineLoader.load(path: pipeline.path).job
        let spec = try XCTUnwrap(job.sink.files)
        XCTAssertEqual(spec.columns.map(\.name), ["id", "qty", "amount", "ratio", "paid", "user", "kind", "payload", "tag", "day",
                                                  "ts", "tus", "price", "wide", "note", "score", "page.host", "ship.city", "ship.zip", "meta", "tags", "nums", "opt", "total"])
        XCTAssertEqual(spec.columns.map(\.type), [.int64, .int32, .double, .float, .boolean, .string, .string, .binary, .binary, .date,
                                                  .timestampMillis, .timestampMicros, .decimal(precision: 10, scale: 2),
                                                  .decimal(precision: 30, scale: 4), .string, .int64, .string, .string, .string, .string,
                                                  .list(.string, elementNullable: false), .list(.int64, elementNullable: true),
                                                  .list(.double, elementNullable: false), .double])
        XCTAssertEqual(spec.columns.map(\.nullable), Array(repeating: false, count: 14) + [true, true, false, false, true, true, false, false, true, true])
        XCTAssertEqual(spec.columns[17].records, [FilesSinkSpec.Record("ship", nullable: true, indicator: 17)],
                       "ship is null when its city (never null in a ship) is")
        XCTAssertEqual(spec.columns[18].records, spec.columns[17].records)

        let registry = InMemorySchemaRegistry()
        let id = try registry.registerBlocking(subject: "sales-in-value", schema: Self.schema)
        job.formats.inProcessRegistry = registry
        let avro = try AvroSchema(parsing: Self.schema)
        let wide: Int128 = -123_456_789_012_345_678_901_234_567   // 27 digits
        let rows: [String] = [
            """
            {"id": 9223372036854775807, "qty": -2147483648, "amount": 0.5, "ratio": 1.5, "paid": true, "user": "héllo ✓",
             "kind": "A", "payload": \(try jsonString("\u{0}\u{ff}ab")), "tag": \(try jsonString("\u{1}\u{80}")), "day": 20000,
             "ts": 1796000000123, "tus": 1796000000123456, "price": \(try jsonString(decimalBytes(-1234567))),
             "wide": \(try jsonString(decimalBytes(wide))), "note": "n", "score": -5, "page": {"host": "x.example"},
             "ship": {"city": "Köln", "zip": null}, "meta": {"a": 1},
             "tags": ["a", "b\\"c", "✓"], "nums": [1, null, -3], "opt": [0.5]}
            """,
            """
            {"id": -1, "qty": 3, "amount": 2.25, "ratio": -0.25, "paid": false, "user": "", "kind": "B", "payload": "",
             "tag": "zz", "day": -1, "ts": 0, "tus": -1, "price": \(try jsonString(decimalBytes(5))), "wide": \(try jsonString(decimalBytes(0))),
             "note": null, "score": null, "page": {"host": ""}, "ship": null, "meta": null, "tags": [], "nums": [], "opt": null}
            """,
        ]
        let records = try rows.map { text -> (String, [UInt8]) in
            let value = try XCTUnwrap(AvroRowEncoder.encode(json: try JSONValue.parse(text), schema: avro, schemaID: UInt32(id)), text)
            return ("k", value)
        }

        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        try broker.createTopic("sales-in", partitions: 1)
        try produceAll(records, topic: "sales-in", bootstrap: broker.bootstrapServers)
        let running = Job(spec: job, runtime: RuntimeConfig(kafka: KafkaConfig(bootstrapServers: broker.bootstrapServers),
                                                           instanceID: "avro", checkpointIntervalMs: 300))
        let runner = Task { try await running.run() }
        let deadline = Date().addingTimeInterval(60)
        while running.metrics.processed < records.count && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        running.stop()
        try await runner.value
        XCTAssertEqual(running.metrics.deadLettered, 0)

        let expected = """
        [[9223372036854775807, -2147483648, 0.5, 1.5, true, "héllo ✓", "A", "00ff6162", "0180", "2024-10-04",
          1796000000123000, 1796000000123456, "-12345.67", "-12345678901234567890123.4567", "n", -5, {"host": "x.example"}, {"city": "Köln", "zip": null}, "{\\"a\\":1}", ["a", "b\\"c", "✓"], [1, null, -3], [0.5], -1073741824.0],
         [-1, 3, 2.25, -0.25, false, "", "B", "", "7a7a", "1969-12-31", 0, -1, "0.05", "0.0000", null, null, {"host": ""}, null, null, [], [], null, 6.75]]
        """
        let script = #"""
        import datetime, decimal, glob, json, sys
        import duckdb, pyarrow.parquet as pq
        files = sorted(glob.glob(sys.argv[1] + "/kind=*/*.parquet"))
        assert [f.split("/")[-2] for f in files] == ["kind=A", "kind=B"], files
        expected = json.loads(sys.argv[2])
        epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        def norm(v):
            if isinstance(v, datetime.datetime):
                if v.tzinfo is None: v = v.replace(tzinfo=datetime.timezone.utc)
                return (v - epoch) // datetime.timedelta(microseconds=1)
            if isinstance(v, datetime.date): return v.isoformat()
            if isinstance(v, (bytes, bytearray)): return v.hex()
            if isinstance(v, decimal.Decimal): return str(v)
            return v
        import pyarrow as pa
        t = pa.concat_tables([pq.ParquetFile(f).read() for f in files])   # not as a dataset: 'kind' is also a column
        print([f"{f.name}:{f.type}:{'opt' if f.nullable else 'req'}" for f in t.schema])
        cols = t.schema.names
        arrow = [[norm(r[c]) for c in cols] for r in t.to_pylist()]
        con = duckdb.connect(); con.execute("SET TimeZone = 'UTC'")
        duck = [[norm(v) for v in r] for r in con.execute("SELECT * FROM read_parquet(?, hive_partitioning = false) ORDER BY id DESC", [files]).fetchall()]
        arrow.sort(key=lambda r: -r[0])
        for name, got in (("pyarrow", arrow), ("duckdb", duck)):
            if got != expected:
                print(name, "differs:"); [print(" got ", g, "\n want", e) for g, e in zip(got, expected) if g != e]; sys.exit(1)
        print("ok", len(arrow), "rows")
        """#
        let r = try runPython(["-c", script, lake, expected])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("ok 2 rows"), r.out)
        for column in ["id:int64:req", "qty:int32:req", "amount:double:req", "ratio:float:req", "paid:bool:req", "user:string:req",
                       "payload:binary:req", "tag:binary:req", "day:date32[day]:req", "ts:timestamp[ms, tz=UTC]:req",
                       "tus:timestamp[us, tz=UTC]:req", "price:decimal128(10, 2):req", "wide:decimal128(30, 4):req",
                       "note:string:opt", "score:int64:opt", "page:struct<host: string not null>:req",
                       "ship:struct<city: string not null, zip: string>:opt", "meta:string:opt", "tags:list<element: string not null>:req",
                       "nums:list<element: int64>:req", "opt:list<element: double not null>:opt", "total:double:opt"] {
            XCTAssertTrue(r.out.contains("'\(column)'"), "\(column) in \(r.out)")
        }
    }
}
