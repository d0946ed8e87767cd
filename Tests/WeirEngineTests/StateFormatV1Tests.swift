import XCTest
import WeirFormats
@testable import WeirEngine

/// State written before format version 2 — checkpoints in `<job>-state` and
/// savepoints of a running job at upgrade time — must still restore.
/// `reference/state-format-v1.txt` holds snapshots written by the version-1
/// code (commit 1eaa557) for the operators below, after the records of
/// `testDump` there; the expected rows were printed by that code too.
final class StateFormatV1Tests: XCTestCase {
    func makeWindow(_ extra: [AggregateSpec] = []) throws -> WindowOperator {
        try WindowOperator(.init(keyFields: [.init(name: "k", slot: 0)], window: .tumbling(sizeMs: 100), allowedLatenessMs: 500,
                                 aggregates: [.count(as: "n"), .sum(1, as: "sum"), .avg(1, as: "avg"), .min(1, as: "min"),
                                              .first(2, as: "first"), .last(2, as: "last"), .countDistinct(2, as: "distinct"),
                                              .collect(2, maxSize: 4, as: "list"), .custom(SpreadAggregator(slot: 1), as: "spread")] + extra))
    }

    func makeReduce() throws -> KeyedReduceOperator {
        try KeyedReduceOperator(.init(keyFields: [.init(name: "k", slot: 0)],
                                      aggregates: [.count(as: "n"), .sum(1, as: "s"), .max(1, as: "mx")]))
    }

    func fixture(_ name: String) throws -> [UInt8] {
        let text = try String(contentsOf: testDirectory().appendingPathComponent("reference/state-format-v1.txt"), encoding: .utf8)
        let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix(name + ": ") })
        let hex = Array(line.dropFirst(name.count + 2).utf8)
        var out: [UInt8] = []
        var i = 0
        while i + 1 < hex.count {
            out.append(try XCTUnwrap(UInt8(String(decoding: hex[i...i + 1], as: UTF8.self), radix: 16)))
            i += 2
        }
        return out
    }

    func testVersion1WindowStateRestoresAndContinues() throws {
        let v1 = try fixture("window")
        XCTAssertEqual(v1[2], 1, "the fixture is version 1")
        let o = try makeWindow()
        var c = Collector(o)
        try o.restore(partition: 0, bytes: v1)
        o.onWatermark(120, output: &c)
        try o.feed(["x", 5, "e"], ts: 50, &c)     // late, within the lateness
        try o.feed(["y", 9, "f"], ts: 170, &c)
        o.flush(output: &c)
        XCTAssertEqual(c.rows.map(\.description), [
            "~p0 avg=d:2.8333333333333335 distinct=3 first=\"a\" k=\"x\" last=\"e\" list=[\"a\",\"b\",\"e\"] min=1 n=3 spread=4 sum=d:8.5 window_end=100 window_start=0",
            "+p0 avg=d:6.5 distinct=2 first=\"d\" k=\"y\" last=\"f\" list=[\"d\",\"f\"] min=4 n=2 spread=5 sum=13 window_end=200 window_start=100",
            "+p0 avg=d:7.0 distinct=1 first=\"b\" k=\"x\" last=\"b\" list=[\"b\"] min=7 n=1 spread=0 sum=7 window_end=200 window_start=100",
        ])
        // what it writes next is version 2, and reads back the same
        let v2 = o.snapshot(partition: 0)
        XCTAssertEqual(v2[2], StateSnapshot.version)
        XCTAssertEqual(StateSnapshot.version, 2)
    }

    func testVersion1ReduceStateRestoresAndContinues() throws {
        let r = try makeReduce()
        var c = Collector(r)
        try r.restore(partition: 0, bytes: try fixture("reduce"))
        try r.feed(["a", 0.5], ts: 0, &c)
        try r.feed(["b", 1], ts: 0, &c)
        XCTAssertEqual(c.rows.map(\.description), ["~p0 k=\"a\" mx=3 n=3 s=d:4.75", "~p0 k=\"b\" mx=2 n=2 s=3"])
    }

    /// Version 1 has no layout to map from: only the unchanged pipeline reads it.
    func testVersion1StateIsRefusedByAnEditedPipelineWithAMessage() throws {
        let edited = try makeWindow([.max(1, as: "top")])
        XCTAssertThrowsError(try edited.restore(partition: 0, bytes: try fixture("window"))) { error in
            let message = (error as? StateFormatError)?.message ?? ""
            XCTAssertTrue(message.contains("format version 1"), message)
            XCTAssertTrue(message.contains("restore it with the unchanged pipeline, take a savepoint, then edit"), message)
        }
        XCTAssertEqual(edited.partitions, [])
    }
}
