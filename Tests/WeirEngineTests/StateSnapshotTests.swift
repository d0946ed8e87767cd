import XCTest
import WeirFormats
@testable import WeirEngine

/// A custom aggregator for the tests: the spread (max - min) of an int field.
final class SpreadAggregator: CustomAggregator {
    struct Acc { var lo = Int64.max, hi = Int64.min }
    let slot: Int
    init(slot: Int) { self.slot = slot }
    func makeAccumulator() -> Acc { Acc() }
    func validate(_ row: Row) throws(OperatorError) {
        if case .string = row.cells[slot] { throw OperatorError("spread needs numbers") }
    }
    func add(_ row: Row, timestampMs: Int64, to acc: inout Acc) {
        if case .int(let v) = row.cells[slot] { acc.lo = Swift.min(acc.lo, v); acc.hi = Swift.max(acc.hi, v) }
    }
    func merge(_ other: Acc, into acc: inout Acc) { acc.lo = Swift.min(acc.lo, other.lo); acc.hi = Swift.max(acc.hi, other.hi) }
    func result(_ acc: Acc, into row: inout Row) -> Cell { acc.lo > acc.hi ? .null : .int(acc.hi - acc.lo) }
    func encode(_ acc: Acc, into bytes: inout [UInt8]) {
        withUnsafeBytes(of: acc.lo.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: acc.hi.littleEndian) { bytes.append(contentsOf: $0) }
    }
    func decode(_ bytes: UnsafeRawBufferPointer) -> Acc? {
        guard bytes.count == 16 else { return nil }
        return Acc(lo: Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: Int64.self)),
                   hi: Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: Int64.self)))
    }
}

final class StateSnapshotTests: XCTestCase {
    /// slots: 0 key, 1 int value, 2 text
    func makeOp(_ window: WindowSpec, lateness: Int64) throws -> WindowOperator {
        try WindowOperator(.init(keyFields: [.init(name: "k", slot: 0)], window: window, allowedLatenessMs: lateness,
                                 aggregates: [.count(as: "n"), .sum(1, as: "sum"), .avg(1, as: "avg"), .min(1, as: "min"),
                                              .first(2, as: "first"), .last(2, as: "last"), .countDistinct(2, as: "distinct"),
                                              .collect(2, maxSize: 4, as: "list"), .custom(SpreadAggregator(slot: 1), as: "spread")]))
    }

    struct Event { var key: String; var value: Int; var text: String; var ts: Int64; var partition: Int }

    func events(seed: UInt64, count: Int) -> [Event] {
        var g = seed
        func next() -> UInt64 { g = g &* 6364136223846793005 &+ 1442695040888963407; return g >> 33 }
        var out: [Event] = []
        var t: Int64 = 1_000
        for _ in 0..<count {
            t += Int64(next() % 40)
            let jitter = Int64(next() % 700)   // out of order, some late
            out.append(Event(key: "k\(next() % 7)", value: Int(next() % 1000) - 500, text: "t\(next() % 5)",
                             ts: t - jitter, partition: Int(next() % 3)))
        }
        return out
    }

    /// Runs events with a watermark every 25 records; optionally snapshots at
    /// `cut`, restores into a fresh operator, and continues.
    func run(_ window: WindowSpec, lateness: Int64, _ evs: [Event], cut: Int?) throws -> ([String], [String]) {
        var o = try makeOp(window, lateness: lateness)
        var c = Collector(o)
        var maxTs = Int64.min
        var log: [String] = []
        for (i, e) in evs.enumerated() {
            if i == cut {
                var blobs: [Int: [[UInt8]]] = [:]
                for p in o.partitions { blobs[p] = o.snapshotChunks(partition: p, maxChunkBytes: 300) }
                if i > 100 { XCTAssertTrue(blobs.values.contains { $0.count > 1 }, "small chunks exercise chunking") }
                let wm = o.currentTime
                o = try makeOp(window, lateness: lateness)
                for (p, chunks) in blobs { try o.restore(partition: p, chunks: chunks) }
                o.onWatermark(wm, output: &c)   // the checkpoint marker carries the watermark
            }
            do {
                try o.feed([e.key, e.value, e.text], ts: e.ts, partition: e.partition, &c)
            } catch { XCTFail("\(error)") }
            maxTs = max(maxTs, e.ts)
            if i % 25 == 24 { o.onWatermark(maxTs - 100, output: &c) }
            log.append(contentsOf: c.take().map(\.description))
        }
        o.flush(output: &c)
        log.append(contentsOf: c.take().map(\.description))
        return (log, c.late.map { "\($0.partition) \($0.ts) \($0.row)" })
    }

    func testSnapshotRestoreContinueEqualsUninterruptedRun() throws {
        for window in [WindowSpec.tumbling(sizeMs: 200), .sliding(sizeMs: 300, slideMs: 100), .session(gapMs: 60)] {
            let evs = events(seed: 7, count: 3000)
            let (full, fullLate) = try run(window, lateness: 150, evs, cut: nil)
            XCTAssertGreaterThan(full.count, 100)
            XCTAssertGreaterThan(fullLate.count, 0, "the scenario has late data")
            XCTAssertTrue(full.contains { $0.hasPrefix("~") }, "the scenario has late-but-allowed updates")
            for cut in [1, 777, 1500, 2999] {
                let (resumed, resumedLate) = try run(window, lateness: 150, evs, cut: cut)
                XCTAssertEqual(resumed, full, "\(window) cut at \(cut)")
                XCTAssertEqual(resumedLate, fullLate)
            }
        }
    }

    func testPartitionsAreDroppedAndMovedIndependently() throws {
        let a = try makeOp(.tumbling(sizeMs: 100), lateness: 0)
        var c = Collector(a)
        try a.feed(["x", 1, "a"], ts: 10, partition: 0, &c)
        try a.feed(["y", 2, "b"], ts: 20, partition: 1, &c)
        try a.feed(["y", 3, "c"], ts: 30, partition: 1, &c)
        XCTAssertEqual(a.partitions, [0, 1])
        let moved = a.snapshot(partition: 1)
        a.dropPartition(1)
        XCTAssertEqual(a.partitions, [0])
        a.flush(output: &c)
        XCTAssertEqual(c.take().map { $0["k"]! }, ["\"x\""])

        let b = try makeOp(.tumbling(sizeMs: 100), lateness: 0)   // the task that got partition 1
        var d = Collector(b)
        try b.restore(partition: 1, bytes: moved)
        try b.feed(["y", 10, "d"], ts: 40, partition: 1, &d)
        b.flush(output: &d)
        XCTAssertEqual(d.rows.map(\.description), [
            "+p1 avg=d:5.0 distinct=3 first=\"b\" k=\"y\" last=\"d\" list=[\"b\",\"c\",\"d\"] min=2 n=3 spread=8 sum=15 window_end=100 window_start=0"])
    }

    func testRestoreRejectsBadSnapshots() throws {
        let a = try makeOp(.tumbling(sizeMs: 100), lateness: 0)
        var c = Collector(a)
        try a.feed(["x", 1, "a"], ts: 10, &c)
        let good = a.snapshot(partition: 0)
        XCTAssertEqual(good[2], StateSnapshot.version)

        let b = try makeOp(.tumbling(sizeMs: 100), lateness: 0)
        var wrongVersion = good; wrongVersion[2] = 99
        XCTAssertThrowsError(try b.restore(partition: 0, bytes: wrongVersion))
        XCTAssertThrowsError(try b.restore(partition: 0, bytes: Array(good.dropLast())))
        XCTAssertThrowsError(try b.restore(partition: 0, bytes: [1, 2, 3]))
        XCTAssertEqual(b.partitions, [], "a failed restore leaves no half state")
        let other = try WindowOperator(.init(keyFields: [.init(name: "k", slot: 0)], window: .tumbling(sizeMs: 100),
                                             aggregates: [.sum(1, as: "n")]))
        XCTAssertThrowsError(try other.restore(partition: 0, bytes: good), "an aggregate with another function: refused")
        // every truncation is refused or restores a prefix of the records, never crashes
        for n in 0..<good.count { _ = try? b.restore(partition: 0, bytes: Array(good[0..<n])) }
        try b.restore(partition: 0, bytes: good)
        b.flush(output: &c)
        XCTAssertEqual(c.rows.count, 1)
    }

    func testReduceOperator() throws {
        let make = { try KeyedReduceOperator(.init(keyFields: [.init(name: "k", slot: 0)],
                                                   aggregates: [.count(as: "n"), .sum(1, as: "s"), .max(1, as: "mx")])) }
        let r = try make()
        var c = Collector(r)
        try r.feed(["a", 1.25], ts: 0, &c)
        try r.feed(["b", 2], ts: 0, &c)
        try r.feed(["a", 3], ts: 0, &c)
        XCTAssertThrowsError(try r.feed(["a", "x"], ts: 0, &c))
        XCTAssertEqual(c.take().map(\.description), ["+p0 k=\"a\" mx=d:1.25 n=1 s=d:1.25",
                                                     "+p0 k=\"b\" mx=2 n=1 s=2",
                                                     "~p0 k=\"a\" mx=3 n=2 s=d:4.25"])
        let r2 = try make()
        try r2.restore(partition: 0, bytes: r.snapshot(partition: 0))
        try r2.feed(["a", 0.5], ts: 0, &c)
        XCTAssertEqual(c.take().map(\.description), ["~p0 k=\"a\" mx=3 n=3 s=d:4.75"])
        XCTAssertEqual(r2.keyCount(partition: 0), 2)
        XCTAssertEqual(r.outputLayout.map(\.name), ["k", "n", "s", "mx"])
    }

    func testCustomAggregatorMergesInSessions() throws {
        let o = try WindowOperator(.init(keyFields: [.init(name: "k", slot: 0)], window: .session(gapMs: 10),
                                         aggregates: [.custom(SpreadAggregator(slot: 1), as: "spread")]))
        var c = Collector(o)
        try o.feed(["a", 5, ""], ts: 0, &c)
        try o.feed(["a", 50, ""], ts: 30, &c)
        XCTAssertThrowsError(try o.feed(["a", "x", ""], ts: 15, &c))
        try o.feed(["a", -7, ""], ts: 15, &c)     // [15,25): alone
        try o.feed(["a", 0, ""], ts: 8, &c)       // bridges [0,10) and [15,25)
        o.flush(output: &c)
        XCTAssertEqual(c.rows.map(\.description).sorted(), [
            "+p0 k=\"a\" spread=0 window_end=40 window_start=30",
            "+p0 k=\"a\" spread=12 window_end=25 window_start=0"])
    }
}
