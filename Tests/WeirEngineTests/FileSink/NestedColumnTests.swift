import Foundation
import XCTest
import WeirFormats
@testable import WeirEngine

/// A nested column (a map of lists) through the files sink's writer: values
/// that do not fit are refused with the column and the reason (the task
/// dead-letters them) and leave nothing behind; the accepted rows read back
/// exactly with pyarrow, including null and empty maps, empty lists and null
/// elements.
final class NestedColumnTests: XCTestCase {
    func testBadNestedValuesAreRefusedAndGoodOnesReadBack() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-nested-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let shape = NestedShape.map(.list(.value(.int64), elementNullable: true), valueNullable: false)
        let spec = FilesSinkSpec(path: dir.path + "/lake/", format: .parquet,
                                 columns: [.init("id", .int64, nullable: false), .init("m", .nested, nullable: true, shape: shape)])
        let w = try FilesSinkWriter(spec: spec, job: "job", instance: "i", slot: 0, run: 1)
        let good = [#"{"id":1,"m":{"a":[1,null,-3],"ü":[]}}"#, #"{"id":2,"m":null}"#, #"{"id":3,"m":{}}"#, #"{"id":4}"#]
        let bad = [(#"{"id":5,"m":{"a":["x"]}}"#, "does not fit its type"), (#"{"id":6,"m":[1]}"#, "a non-object where a map belongs"),
                   (#"{"id":7,"m":{"a":null}}"#, "a null where the schema has none"), (#"{"id":8,"m":{"a":[[1]]}}"#, "an object or array")]
        for (i, row) in good.enumerated() {
            try w.write(json: row, partition: 0)
            if i == 0 {
                for (b, why) in bad {
                    XCTAssertThrowsError(try w.write(json: b, partition: 0), b) { e in
                        let e = e as? FileSinkError
                        XCTAssertEqual(e?.kind, .record, b)
                        XCTAssertTrue(e?.message.contains("column 'm' is map<string,list<int64?>>") == true && e?.message.contains(why) == true, "\(String(describing: e))")
                    }
                }
            }
        }
        _ = try w.prepareCheckpoint(1)
        try w.commit(1)
        let lake = dir.appendingPathComponent("lake").path
        let script = #"""
        import glob, sys, pyarrow.parquet as pq
        files = glob.glob(sys.argv[1] + "/*.parquet")
        assert len(files) == 1, files
        rows = pq.read_table(files[0]).to_pylist()
        got = [[r["id"], None if r["m"] is None else dict(r["m"])] for r in rows]
        want = [[1, {"a": [1, None, -3], "ü": []}], [2, None], [3, {}], [4, None]]
        assert got == want, got
        print("ok", len(got))
        """#
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, lake]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("ok 4"), text)
    }
}
