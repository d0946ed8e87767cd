import Foundation
import XCTest
import WeirFormats
@testable import WeirEngine

/// Seeded random nested columns (maps, lists, records, in each other up to
/// three deep; nullable or not at every level) and random values for them
/// (nulls, empty maps and lists, null elements, unicode keys), written by the
/// files sink's writer in small row groups, read back by pyarrow and DuckDB,
/// which must return exactly the values written. `WEIR_NESTED_FUZZ_SEED` and
/// `WEIR_NESTED_FUZZ_CASES` replay or widen the run.
final class NestedColumnRandomTests: XCTestCase {
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static func randomShape(_ depth: Int, top: Bool, _ rng: inout SplitMix) -> NestedShape {
        let choice = depth >= 3 ? 0 : rng.below(top ? 2 : 5) + (top ? 1 : 0)
        func nullable() -> Bool { rng.below(2) == 0 }
        switch choice {
        case 1: return .list(randomShape(depth + 1, top: false, &rng), elementNullable: nullable())
        case 2: return .map(randomShape(depth + 1, top: false, &rng), valueNullable: nullable())
        case 3:
            return .record((0..<(1 + rng.below(3))).map { i in
                NestedShape.Field("f\(i)", randomShape(depth + 1, top: false, &rng), nullable: rng.below(2) == 0)
            })
        default:
            return .value([.int64, .string, .boolean, .double][rng.below(4)])
        }
    }

    static func randomValue(_ shape: NestedShape, nullable: Bool, _ rng: inout SplitMix) -> Any {
        if nullable && rng.below(4) == 0 { return NSNull() }
        switch shape {
        case .value(let t):
            switch t {
            case .int64: return [Int64.min, Int64.max, 0, -1, Int64(rng.below(1000))][rng.below(5)]
            case .boolean: return rng.below(2) == 0
            case .double: return Double(rng.below(2000) - 1000) / 4
            default: return ["", "a", "é✓", "数据 \"q\"\n", String(repeating: "x", count: rng.below(40))][rng.below(5)]
            }
        case .list(let e, let n):
            return (0..<rng.below(4)).map { _ in randomValue(e, nullable: n, &rng) }
        case .map(let v, let n):
            var d: [String: Any] = [:]
            for _ in 0..<rng.below(4) { d[["k", "ü", "", "key \(rng.below(9))", "v"][rng.below(5)]] = randomValue(v, nullable: n, &rng) }
            return d
        case .record(let fields):
            var d: [String: Any] = [:]
            for f in fields { d[f.name] = randomValue(f.shape, nullable: f.nullable, &rng) }
            return d
        }
    }

    func testRandomNestedColumnsReadBackExactly() throws {
        let env = ProcessInfo.processInfo.environment
        let seed = env["WEIR_NESTED_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20261207
        let cases = env["WEIR_NESTED_FUZZ_CASES"].flatMap { Int($0) } ?? 25
        // WEIR_NESTED_OUT=dir keeps the files (and their .expect.json) for a look with other tools.
        let keep = env["WEIR_NESTED_OUT"].map { URL(fileURLWithPath: $0) }
        let dir = keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("weir-nested-fuzz-\(UUID().uuidString)")
        defer { if keep == nil { try? FileManager.default.removeItem(at: dir) } }
        var rng = SplitMix(state: seed)
        for c in 0..<cases {
            let columnCount = 1 + rng.below(3)
            var columns: [FilesSinkSpec.Column] = [.init("id", .int64, nullable: false)]
            for i in 0..<columnCount {
                columns.append(.init("c\(i)", .nested, nullable: rng.below(2) == 0, shape: Self.randomShape(0, top: true, &rng)))
            }
            var spec = FilesSinkSpec(path: dir.path + "/case\(c)/", format: .parquet, columns: columns)
            spec.rowGroupBytes = [512, 4096, 1 << 20][rng.below(3)]
            let w = try FilesSinkWriter(spec: spec, job: "fuzz", instance: "i", slot: 0, run: 1)
            var expected: [[String: Any]] = []
            for r in 0..<(rng.below(120)) {
                var row: [String: Any] = ["id": r]
                for col in columns.dropFirst() {
                    row[col.name] = Self.randomValue(col.shape!, nullable: col.nullable, &rng)
                }
                let text = String(decoding: try JSONSerialization.data(withJSONObject: row), as: UTF8.self)
                try w.write(json: text, partition: 0)
                expected.append(row)
            }
            _ = try w.prepareCheckpoint(1)
            try w.commit(1)
            let want = try JSONSerialization.data(withJSONObject: ["rows": expected, "columns": columns.dropFirst().map { $0.typeText }])
            try want.write(to: dir.appendingPathComponent("case\(c).expect.json"))
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", Self.readback, dir.path, String(cases)]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "seed \(seed): \(text)")
        XCTAssertTrue(text.contains("ok \(cases) cases"), "seed \(seed): \(text)")
    }

    static let readback = #"""
    import glob, json, sys
    import duckdb, pyarrow as pa, pyarrow.parquet as pq
    base, cases = sys.argv[1], int(sys.argv[2])
    def norm(v, t):
        if v is None: return None
        if pa.types.is_map(t): return {k: norm(x, t.item_type) for k, x in v}
        if pa.types.is_list(t): return [norm(x, t.value_type) for x in v]
        if pa.types.is_struct(t): return {f.name: norm(v[f.name], f.type) for f in t}
        return v
    def dnorm(v):
        if isinstance(v, dict):
            if set(v) == {"key", "value"} and isinstance(v["key"], list):
                return {k: dnorm(x) for k, x in zip(v["key"], v["value"])}
            return {k: dnorm(x) for k, x in v.items()}
        if isinstance(v, list): return [dnorm(x) for x in v]
        return v
    groups = 0
    for c in range(cases):
        spec = json.load(open(f"{base}/case{c}.expect.json"))
        want = spec["rows"]
        files = sorted(glob.glob(f"{base}/case{c}/*.parquet"))
        if not want and not files: continue
        assert len(files) == 1, (c, files)
        f = pq.ParquetFile(files[0])
        groups += f.num_row_groups
        t = f.read()
        got = [{fl.name: norm(r[fl.name], fl.type) for fl in t.schema} for r in t.to_pylist()]
        if got != want:
            print("case", c, spec["columns"], "pyarrow differs")
            for g, w in zip(got, want):
                if g != w: print(" got ", g, "\n want", w); break
            sys.exit(1)
        cur = duckdb.connect().execute("SELECT * FROM read_parquet(?) ORDER BY id", [files[0]])
        names = [d[0] for d in cur.description]
        duck = [{n: dnorm(x) for n, x in zip(names, row)} for row in cur.fetchall()]
        if duck != want:
            print("case", c, spec["columns"], "duckdb differs")
            for g, w in zip(duck, want):
                if g != w: print(" got ", g, "\n want", w); break
            sys.exit(1)
    # fastparquet reads one level of nesting (a map or list of primitives) and returns wrong
    # values, silently, for deeper ones: it must read the one-level columns exactly.
    import math, re, warnings
    warnings.simplefilter("ignore")
    import pandas as pd
    pd.set_option("future.infer_string", False)   # see docs/parquet.md: its Arrow-string mode drops pages
    import fastparquet
    flat = re.compile(r"^(map<string,|list<)(string|int64|double|boolean)\??>$")
    def conv(v):
        if v is None: return None
        if isinstance(v, float) and math.isnan(v): return None
        if isinstance(v, dict): return {k: conv(x) for k, x in v.items()}
        if hasattr(v, "tolist") and not isinstance(v, (str, bytes)): v = v.tolist()
        if isinstance(v, list): return [conv(x) for x in v]
        if hasattr(v, "item"): return v.item()
        return v
    checked = 0
    for c in range(cases):
        spec = json.load(open(f"{base}/case{c}.expect.json"))
        files = glob.glob(f"{base}/case{c}/*.parquet")
        names = [f"c{i}" for i, t in enumerate(spec["columns"]) if flat.match(t)]
        if not files or not names: continue
        df = fastparquet.ParquetFile(files[0]).to_pandas(columns=["id"] + names)
        got = [{n: conv(r[n]) for n in ["id"] + names} for r in df.to_dict("records")]
        want = [{n: r[n] for n in ["id"] + names} for r in spec["rows"]]
        if got != want:
            for g, w in zip(got, want):
                if g != w: print("case", c, "fastparquet differs:", g, "want", w); break
            sys.exit(1)
        checked += len(names)
    print("ok", cases, "cases,", groups, "row groups; fastparquet:", checked, "one-level columns")
    """#
}
