import Foundation
import XCTest
import WeirEngine
import WeirFormats
import WeirKafka
import WeirPipelines

/// Avro maps, arrays of records, arrays of arrays and a map inside a nullable
/// record, written by the files sink as Parquet MAP and nested LIST columns
/// (docs/parquet.md, "Nested values"): null vs empty maps and lists, null
/// elements and values, unicode keys. Kafka on the embedded broker, the real
/// task loop; pyarrow and DuckDB read back exactly the values written,
/// fastparquet the one-level maps, and the Parquet schema shows MAP and LIST
/// annotations.
final class FilesSinkNestedAvroTests: XCTestCase {
    static let schema = """
    {"type": "record", "name": "Order", "fields": [
      {"name": "id", "type": "long"},
      {"name": "attrs", "type": {"type": "map", "values": "string"}},
      {"name": "scores", "type": ["null", {"type": "map", "values": ["null", "long"]}], "default": null},
      {"name": "items", "type": {"type": "array", "items": {"type": "record", "name": "Item", "fields": [
        {"name": "sku", "type": "string"}, {"name": "qty", "type": ["null", "int"]},
        {"name": "tags", "type": {"type": "array", "items": "string"}}]}}},
      {"name": "maybe", "type": ["null", {"type": "array", "items": ["null", "Item"]}], "default": null},
      {"name": "grid", "type": {"type": "array", "items": {"type": "array", "items": ["null", "long"]}}},
      {"name": "ship", "type": ["null", {"type": "record", "name": "Ship", "fields": [
        {"name": "city", "type": "string"},
        {"name": "legs", "type": {"type": "map", "values": {"type": "array", "items": "double"}}}]}], "default": null},
      {"name": "blobs", "type": {"type": "array", "items": {"type": "record", "name": "Blob", "fields": [{"name": "b", "type": "bytes"}]}}}
    ]}
    """

    /// The rows as JSON; the expected readback is the same values with maps as objects
    /// (and `blobs`, whose bytes keep it JSON text, as that text).
    static let rows = [
        """
        {"id": 1, "attrs": {"a": "x", "ü": "✓ \\"q\\""}, "scores": {"s": 5, "n": null},
         "items": [{"sku": "A", "qty": 2, "tags": ["t1", "t2"]}, {"sku": "B", "qty": null, "tags": []}],
         "maybe": [null, {"sku": "C", "qty": 1, "tags": ["x"]}], "grid": [[1, null], [], [3]],
         "ship": {"city": "Köln", "legs": {"x": [1.5, -2.25], "y": []}}, "blobs": [{"b": "ab"}]}
        """,
        """
        {"id": 2, "attrs": {}, "scores": null, "items": [], "maybe": null, "grid": [], "ship": null, "blobs": []}
        """,
        """
        {"id": 3, "attrs": {"k": ""}, "scores": {}, "items": [{"sku": "", "qty": null, "tags": ["é"]}],
         "maybe": [], "grid": [[]], "ship": {"city": "", "legs": {}}, "blobs": []}
        """,
    ]

    func testMapsAndListsOfRecordsAndListsRoundTrip() async throws {
        let dir = try temporaryDirectory("files-sink-nested", self)
        let lake = dir.appendingPathComponent("lake").path
        try Self.schema.write(to: dir.appendingPathComponent("order.avsc"), atomically: true, encoding: .utf8)
        let pipeline = dir.appendingPathComponent("orders.yaml")
        try """
        name: orders-to-lake
        source:
          kafka: {topic: orders-in, startFrom: earliest}
          format: avro
          schema: {file: order.avsc}
        sink:
          files: {path: \(lake), format: parquet}
        parallelism: 1
        """.write(to: pipeline, atomically: true, encoding: .utf8)
        var job = try PipelineLoader.load(path: pipeline.path).job
        let spec = try XCTUnwrap(job.sink.files)
        XCTAssertEqual(spec.columns.map(\.name), ["id", "attrs", "scores", "items", "maybe", "grid", "ship.city", "ship.legs", "blobs"])
        XCTAssertEqual(spec.columns.map(\.typeText), [
            "int64", "map<string,string>", "map<string,int64?>", "list<record<sku:string,qty:int32?,tags:list<string>>>",
            "list<record<sku:string,qty:int32?,tags:list<string>>?>", "list<list<int64?>>", "string",
            "map<string,list<double>>", "string"])
        XCTAssertEqual(spec.columns.map(\.nullable), [false, false, true, false, true, false, false, false, false])

        let registry = InMemorySchemaRegistry()
        let id = try registry.registerBlocking(subject: "orders-in-value", schema: Self.schema)
        job.formats.inProcessRegistry = registry
        let avro = try AvroSchema(parsing: Self.schema)
        let records = try Self.rows.map { text -> (String, [UInt8]) in
            ("k", try XCTUnwrap(AvroRowEncoder.encode(json: try JSONValue.parse(text), schema: avro, schemaID: UInt32(id)), text))
        }
        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        try broker.createTopic("orders-in", partitions: 1)
        try produceAll(records, topic: "orders-in", bootstrap: broker.bootstrapServers)
        let running = Job(spec: job, runtime: RuntimeConfig(kafka: KafkaConfig(bootstrapServers: broker.bootstrapServers),
                                                           instanceID: "nested", checkpointIntervalMs: 300))
        let runner = Task { try await running.run() }
        let deadline = Date().addingTimeInterval(60)
        while running.metrics.processed < records.count && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        running.stop()
        try await runner.value
        XCTAssertEqual(running.metrics.deadLettered, 0)

        let r = try runPython(["-c", Self.readback, lake, "[" + Self.rows.joined(separator: ",") + "]"])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("pyarrow ok 3 rows") && r.out.contains("duckdb ok 3 rows") && r.out.contains("fastparquet ok 3 rows"), r.out + r.err)
        for line in ["attrs: MAP", "scores: MAP", "items: LIST", "maybe: LIST", "grid: LIST", "legs: MAP"] {
            XCTAssertTrue(r.out.contains(line), "\(line) in \(r.out)")
        }
    }

    /// A NaN inside a nested value: the Avro decoder renders it as JSON null (JSON
    /// has no NaN), which a list of non-null doubles cannot hold: the record is
    /// dead-lettered (class encode, the column and the reason); the others are written.
    func testAValueThatDoesNotFitIsDeadLettered() async throws {
        let schema = #"{"type":"record","name":"P","fields":[{"name":"id","type":"long"},{"name":"xs","type":{"type":"array","items":{"type":"array","items":"double"}}}]}"#
        let dir = try temporaryDirectory("files-sink-nested-dlq", self)
        let lake = dir.appendingPathComponent("lake").path
        var job = try PipelineLoader.load(yaml: """
            name: nan-to-lake
            source: {kafka: {topic: nan-in, startFrom: earliest}, format: avro, schema: '\(schema)'}
            sink:
              files: {path: \(lake), format: parquet}
            deadLetter: {topic: nan-dlq}
            parallelism: 1
            """, file: "nan.yaml").job
        XCTAssertEqual(job.sink.files?.columns.map(\.typeText), ["int64", "list<list<double>>"])
        let registry = InMemorySchemaRegistry()
        let id = try registry.registerBlocking(subject: "nan-in-value", schema: schema)
        job.formats.inProcessRegistry = registry
        let good = try XCTUnwrap(AvroRowEncoder.encode(json: try JSONValue.parse(#"{"id": 1, "xs": [[1.5], []]}"#),
                                                       schema: try AvroSchema(parsing: schema), schemaID: UInt32(id)))
        // id 2, xs [[NaN]]: zigzag 2 = 4; one block of one array of one double; block ends.
        let nan = ConfluentFrame.header(schemaID: UInt32(id)) + [4, 2, 2] + withUnsafeBytes(of: Double.nan.bitPattern.littleEndian) { Array($0) } + [0, 0]
        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        try broker.createTopic("nan-in", partitions: 1)
        try broker.createTopic("nan-dlq", partitions: 1)
        try produceAll([("k", good), ("k", nan)], topic: "nan-in", bootstrap: broker.bootstrapServers)
        let running = Job(spec: job, runtime: RuntimeConfig(kafka: KafkaConfig(bootstrapServers: broker.bootstrapServers),
                                                           instanceID: "nan", checkpointIntervalMs: 300))
        let runner = Task { try await running.run() }
        let deadline = Date().addingTimeInterval(60)
        while running.metrics.processed + running.metrics.deadLettered < 2 && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        running.stop()
        try await runner.value
        XCTAssertEqual(running.metrics.deadLettered, 1)
        let dead = try readAll(topic: "nan-dlq", bootstrap: broker.bootstrapServers, atLeast: 1)
        XCTAssertEqual(dead.count, 1)
        XCTAssertEqual(dead.first?.value, nan, "the record as it came")
        XCTAssertEqual(dead.first?.headers["weir.error.class"], "encode")
        let message = dead.first?.headers["weir.error.message"] ?? ""
        XCTAssertTrue(message.contains("column 'xs' is list<list<double>>") && message.contains("a null where the schema has none"), message)
        let r = try runPython(["-c", """
            import glob, sys, pyarrow.parquet as pq
            rows = [r for f in glob.glob(sys.argv[1] + "/*.parquet") for r in pq.read_table(f).to_pylist()]
            assert rows == [{"id": 1, "xs": [[1.5], []]}], rows
            print("ok", len(rows))
            """, lake])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("ok 1"), r.out + r.err)
    }

    /// Reads every part file with pyarrow and DuckDB, turns maps into dicts and
    /// compares with the rows produced (bytes-holding `blobs` as JSON text).
    static let readback = #"""
    import glob, json, sys
    import duckdb, pyarrow as pa, pyarrow.parquet as pq
    files = sorted(glob.glob(sys.argv[1] + "/**/*.parquet", recursive=True))
    assert files, "no files"
    want = json.loads(sys.argv[2])
    for w in want:
        w["blobs"] = json.dumps(w["blobs"], separators=(",", ":"), ensure_ascii=False)
    want.sort(key=lambda r: r["id"])
    def norm(v, t):
        if v is None: return None
        if pa.types.is_map(t): return {k: norm(x, t.item_type) for k, x in v}
        if pa.types.is_list(t): return [norm(x, t.value_type) for x in v]
        if pa.types.is_struct(t): return {f.name: norm(v[f.name], f.type) for f in t}
        return v
    t = pa.concat_tables([pq.ParquetFile(f).read() for f in files])
    arrow = [{f.name: norm(r[f.name], f.type) for f in t.schema} for r in t.to_pylist()]
    arrow.sort(key=lambda r: r["id"])
    def dnorm(v):
        if isinstance(v, dict):
            if set(v) == {"key", "value"} and isinstance(v["key"], list):
                return {k: dnorm(x) for k, x in zip(v["key"], v["value"])}
            return {k: dnorm(x) for k, x in v.items()}
        if isinstance(v, list): return [dnorm(x) for x in v]
        return v
    con = duckdb.connect()
    cur = con.execute("SELECT * FROM read_parquet(?) ORDER BY id", [files])
    names = [d[0] for d in cur.description]
    duck = [{n: dnorm(x) for n, x in zip(names, row)} for row in cur.fetchall()]
    for name, got in (("pyarrow", arrow), ("duckdb", duck)):
        if got != want:
            print(name, "differs:"); [print(" got ", g, "\n want", e) for g, e in zip(got, want) if g != e]; sys.exit(1)
        print(name, "ok", len(got), "rows")
    for line in str(pq.ParquetFile(files[0]).schema).splitlines():
        tokens = line.split()
        for k, tok in enumerate(tokens):
            if tok.upper() in ("(MAP)", "(LIST)") and k > 0:
                print(tokens[k - 1] + ":", tok.upper().strip("()"))
    # fastparquet reads one level of nesting (maps and lists of primitives) exactly, and
    # deeper columns wrongly (silently): it is held to the one-level columns.
    import math, warnings
    warnings.simplefilter("ignore")
    import pandas as pd
    pd.set_option("future.infer_string", False)
    import fastparquet
    def conv(v):
        if v is None or (isinstance(v, float) and math.isnan(v)): return None
        if isinstance(v, dict): return {k: conv(x) for k, x in v.items()}
        if hasattr(v, "tolist") and not isinstance(v, (str, bytes)): v = v.tolist()
        if isinstance(v, list): return [conv(x) for x in v]
        return v.item() if hasattr(v, "item") else v
    fp = []
    for f in files:
        df = fastparquet.ParquetFile(f).to_pandas(columns=["id", "attrs", "scores"])
        fp += [{k: conv(r[k]) for k in ("id", "attrs", "scores")} for r in df.to_dict("records")]
    fp.sort(key=lambda r: r["id"])
    fwant = [{k: w[k] for k in ("id", "attrs", "scores")} for w in want]
    if fp != fwant:
        print("fastparquet differs:", fp, "want", fwant); sys.exit(1)
    print("fastparquet ok", len(fp), "rows (attrs, scores)")
    """#
}
