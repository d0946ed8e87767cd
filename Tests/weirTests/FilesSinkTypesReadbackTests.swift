import Foundation
import XCTest
import WeirEngine
import WeirFormats

/// Every column type of the files sink, from the JSON cells a pipeline emits
/// to what pyarrow and DuckDB read: nulls and missing fields, the widest
/// integers, unicode, nested values as JSON text, and the conversions the
/// sink makes (integral numbers into integer columns, integers into float
/// columns and text, `YYYY-MM-DD` or day numbers into dates, epoch integers
/// into timestamps).
final class FilesSinkTypesReadbackTests: XCTestCase {
    func testEveryColumnTypeThroughTheSink() throws {
        let dir = try temporaryDirectory("files-sink-types", self)
        let spec = FilesSinkSpec(path: dir.path + "/lake", format: .parquet, columns: [
            .init("s", .string), .init("i32", .int32), .init("i64", .int64), .init("f", .float), .init("d", .double),
            .init("b", .boolean), .init("day", .date), .init("tms", .timestampMillis), .init("tus", .timestampMicros),
        ])
        let w = try FilesSinkWriter(spec: spec, job: "types", instance: "t", slot: 0, run: 1)
        let rows = [
            #"{"s":"héllo ✓","i32":-2147483648,"i64":9223372036854775807,"f":0.5,"d":-1.25,"b":true,"day":"2026-12-07","tms":1796000000123,"tus":1796000000123456}"#,
            #"{"s":null,"i32":null}"#,
            #"{"s":42,"i32":7.0,"i64":-3,"f":2,"d":3,"b":false,"day":20000,"tms":0,"tus":-1}"#,
            #"{"s":{"a":[1,2]},"i64":-9223372036854775808,"d":1e300,"day":"1970-01-01"}"#,
            #"{"s":""}"#,
        ]
        for r in rows {   // each row as a JSON-decoding pipeline's row holds it
            var row = Row(slotCount: spec.columns.count)
            var text = r
            try text.withUTF8 { bytes in
                try JSONRowDecoder(fields: spec.columns.map { FieldPath([$0.name]) }).decode(UnsafeRawBufferPointer(bytes), into: &row)
            }
            try w.write(row: row, encoded: nil, partition: 0)
        }
        _ = try w.prepareCheckpoint(1)
        try w.commit(1)
        let expected = """
        [["héllo ✓", -2147483648, 9223372036854775807, 0.5, -1.25, true, "2026-12-07", 1796000000123000, 1796000000123456],
         [null, null, null, null, null, null, null, null, null],
         ["42", 7, -3, 2.0, 3.0, false, "2024-10-04", 0, -1],
         ["{\\"a\\":[1,2]}", null, -9223372036854775808, null, 1e300, null, "1970-01-01", null, null],
         ["", null, null, null, null, null, null, null, null]]
        """
        let script = #"""
        import datetime, glob, json, sys
        import duckdb, pyarrow.parquet as pq
        files = glob.glob(sys.argv[1] + "/*.parquet")
        assert len(files) == 1, files
        expected = json.loads(sys.argv[2])
        epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        def norm(v):
            if isinstance(v, datetime.datetime): return (v - epoch) // datetime.timedelta(microseconds=1)
            if isinstance(v, datetime.date): return v.isoformat()
            return v
        cols = ["s", "i32", "i64", "f", "d", "b", "day", "tms", "tus"]
        t = pq.read_table(files[0])
        assert t.schema.names == cols, t.schema
        arrow = [[norm(r[c]) for c in cols] for r in t.to_pylist()]
        con = duckdb.connect(); con.execute("SET TimeZone = 'UTC'")
        duck = [[norm(v) for v in r] for r in con.execute("SELECT * FROM read_parquet(?)", [files[0]]).fetchall()]
        kinds = [str(f.type) for f in t.schema]
        print(kinds)
        for name, got in (("pyarrow", arrow), ("duckdb", duck)):
            if got != expected:
                print(name, "differs:"); [print(" got", g, "\n want", e) for g, e in zip(got, expected) if g != e]; sys.exit(1)
        print("ok", len(arrow), "rows")
        """#
        let r = try runPython(["-c", script, dir.path + "/lake", expected])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("['string', 'int32', 'int64', 'float', 'double', 'bool', 'date32[day]', 'timestamp[ms, tz=UTC]', 'timestamp[us, tz=UTC]']"), r.out)
        XCTAssertTrue(r.out.contains("ok 5 rows"), r.out)
    }
}
