import XCTest
import WeirFormats
@testable import WeirEngine

/// Slots of the test rows: 0 key, 1 value.
final class WindowOperatorTests: XCTestCase {
    func op(_ window: WindowSpec, lateness: Int64 = 0, domain: TimeDomain = .eventTime,
            aggs: [AggregateSpec] = [.count(as: "cnt"), .sum(1, as: "total")]) throws -> WindowOperator {
        try WindowOperator(.init(keyFields: [.init(name: "k", slot: 0)], window: window, timeDomain: domain,
                                 allowedLatenessMs: lateness, aggregates: aggs))
    }

    func rows(_ c: inout Collector) -> [String] { c.take().map(\.description).sorted() }

    func testTumblingFiresAtEndMinusOneAndPurges() throws {
        let o = try op(.tumbling(sizeMs: 10))
        var c = Collector(o)
        try o.feed(["a", 1.5], ts: 1, &c)
        try o.feed(["a", 2.25], ts: 5, &c)
        try o.feed(["b", 10], ts: 3, &c)
        try o.feed(["a", 3], ts: 9, &c)
        try o.feed(["a", 1], ts: 10, &c)
        o.onWatermark(8, output: &c)
        XCTAssertEqual(c.rows.count, 0)
        o.onWatermark(9, output: &c)
        XCTAssertEqual(rows(&c), ["+p0 cnt=1 k=\"b\" total=10 window_end=10 window_start=0",
                                  "+p0 cnt=3 k=\"a\" total=d:6.75 window_end=10 window_start=0"])
        XCTAssertEqual(o.windowCount(partition: 0), 1, "[0,10) purged, [10,20) open")
        try o.feed(["a", 1], ts: 9, &c)
        XCTAssertEqual(c.late.count, 1)
        XCTAssertEqual(c.late.first?.ts, 9)
        XCTAssertEqual(o.lateRecordCount, 1)
        o.onWatermark(19, output: &c)
        XCTAssertEqual(rows(&c), ["+p0 cnt=1 k=\"a\" total=1 window_end=20 window_start=10"])
        XCTAssertEqual(o.windowCount(partition: 0), 0)
    }

    func testTumblingWithOffset() throws {
        let o = try op(.tumbling(sizeMs: 10, offsetMs: 3))
        var c = Collector(o)
        try o.feed(["a", 1], ts: 2, &c)
        try o.feed(["a", 1], ts: 3, &c)
        o.flush(output: &c)
        XCTAssertEqual(rows(&c), ["+p0 cnt=1 k=\"a\" total=1 window_end=13 window_start=3",
                                  "+p0 cnt=1 k=\"a\" total=1 window_end=3 window_start=-7"])
    }

    func testAllowedLatenessReemitsAndThenDropsAsLate() throws {
        let o = try op(.tumbling(sizeMs: 10), lateness: 5)
        var c = Collector(o)
        try o.feed(["a", 1], ts: 1, &c)
        try o.feed(["a", 1], ts: 2, &c)
        o.onWatermark(9, output: &c)
        XCTAssertEqual(rows(&c), ["+p0 cnt=2 k=\"a\" total=2 window_end=10 window_start=0"])
        try o.feed(["a", 1], ts: 3, &c)   // late but allowed: fires at once, as an update
        XCTAssertEqual(rows(&c), ["~p0 cnt=3 k=\"a\" total=3 window_end=10 window_start=0"])
        try o.feed(["b", 7], ts: 7, &c)   // a new window that is already due fires at once
        XCTAssertEqual(rows(&c), ["+p0 cnt=1 k=\"b\" total=7 window_end=10 window_start=0"])
        o.onWatermark(13, output: &c)
        XCTAssertEqual(c.rows.count, 0, "no second firing from the watermark")
        try o.feed(["a", 1], ts: 4, &c)
        XCTAssertEqual(rows(&c), ["~p0 cnt=4 k=\"a\" total=4 window_end=10 window_start=0"])
        XCTAssertEqual(o.windowCount(partition: 0), 2)
        o.onWatermark(14, output: &c)     // end - 1 + lateness = 14: purged
        XCTAssertEqual(c.rows.count, 0)
        XCTAssertEqual(o.windowCount(partition: 0), 0)
        try o.feed(["a", 1], ts: 5, &c)
        XCTAssertEqual(c.rows.count, 0)
        XCTAssertEqual(c.late.count, 1)
        XCTAssertEqual(o.lateRecordCount, 1)
        try o.feed(["a", 1], ts: 10, &c)  // next window: on time
        XCTAssertEqual(c.late.count, 1)
        XCTAssertEqual(o.windowCount(partition: 0), 1)
    }

    func testSlidingWindows() throws {
        let o = try op(.sliding(sizeMs: 10, slideMs: 5))
        var c = Collector(o)
        try o.feed(["a", 1], ts: 7, &c)
        try o.feed(["a", 2], ts: 12, &c)
        o.onWatermark(9, output: &c)
        XCTAssertEqual(rows(&c), ["+p0 cnt=1 k=\"a\" total=1 window_end=10 window_start=0"])
        try o.feed(["a", 4], ts: 8, &c)   // [0,10) is gone, [5,15) takes it: not late data
        XCTAssertEqual(c.late.count, 0)
        o.onWatermark(14, output: &c)
        XCTAssertEqual(rows(&c), ["+p0 cnt=3 k=\"a\" total=7 window_end=15 window_start=5"])
        o.onWatermark(100, output: &c)
        XCTAssertEqual(rows(&c), ["+p0 cnt=1 k=\"a\" total=2 window_end=20 window_start=10"])
        try o.feed(["a", 4], ts: 3, &c)
        XCTAssertEqual(c.late.count, 1)
    }

    func testSessionMergesWhenARecordBridgesSessions() throws {
        let o = try op(.session(gapMs: 10))
        var c = Collector(o)
        try o.feed(["a", 1], ts: 0, &c)
        try o.feed(["a", 2], ts: 30, &c)
        try o.feed(["a", 4], ts: 15, &c)
        XCTAssertEqual(o.windowCount(partition: 0), 3)
        try o.feed(["a", 8], ts: 20, &c)     // bridges [15,25) and [30,40)
        XCTAssertEqual(o.windowCount(partition: 0), 2)
        try o.feed(["a", 16], ts: 5, &c)     // bridges [0,10) and [15,40)
        XCTAssertEqual(o.windowCount(partition: 0), 1)
        try o.feed(["b", 1], ts: 0, &c)
        try o.feed(["b", 2], ts: 10, &c)     // exactly gap apart: touching windows merge (Flink)
        try o.feed(["b", 4], ts: 21, &c)     // 11 apart: a new session
        o.onWatermark(29, output: &c)
        XCTAssertEqual(rows(&c), ["+p0 cnt=2 k=\"b\" total=3 window_end=20 window_start=0"])
        o.onWatermark(30, output: &c)
        XCTAssertEqual(rows(&c), ["+p0 cnt=1 k=\"b\" total=4 window_end=31 window_start=21"])
        o.onWatermark(38, output: &c)
        XCTAssertEqual(c.rows.count, 0)
        o.onWatermark(39, output: &c)
        XCTAssertEqual(rows(&c), ["+p0 cnt=5 k=\"a\" total=31 window_end=40 window_start=0"])
        o.flush(output: &c)
        XCTAssertEqual(c.rows.count, 0)
        XCTAssertEqual(o.windowCount(partition: 0), 0)
    }

    func testSessionLatenessMergeAndLate() throws {
        let o = try op(.session(gapMs: 10), lateness: 20)
        var c = Collector(o)
        try o.feed(["c", 1], ts: 0, &c)
        o.onWatermark(9, output: &c)
        XCTAssertEqual(rows(&c), ["+p0 cnt=1 k=\"c\" total=1 window_end=10 window_start=0"])
        try o.feed(["c", 1], ts: 5, &c)      // extends the fired session to [0,15): a new window, not yet due
        XCTAssertEqual(c.rows.count, 0)
        o.onWatermark(14, output: &c)
        XCTAssertEqual(rows(&c), ["+p0 cnt=2 k=\"c\" total=2 window_end=15 window_start=0"])
        try o.feed(["c", 1], ts: 3, &c)      // inside the fired session: update at once
        XCTAssertEqual(rows(&c), ["~p0 cnt=3 k=\"c\" total=3 window_end=15 window_start=0"])
        try o.feed(["c", 1], ts: 12, &c)     // extends to [0,22): due already (21 <= 14? no) -> timer
        XCTAssertEqual(c.rows.count, 0)
        o.onWatermark(33, output: &c)
        XCTAssertEqual(rows(&c), ["+p0 cnt=4 k=\"c\" total=4 window_end=22 window_start=0"])
        o.onWatermark(41, output: &c)        // cleanup 21 + 20 = 41
        XCTAssertEqual(o.windowCount(partition: 0), 0)
        try o.feed(["c", 1], ts: 21, &c)     // [21,31): cleanup 50 > 41, a new session, due: fires at once
        XCTAssertEqual(rows(&c), ["+p0 cnt=1 k=\"c\" total=1 window_end=31 window_start=21"])
        try o.feed(["c", 1], ts: 2, &c)      // [2,12): cleanup 31 <= 41 and nothing to merge with: late
        XCTAssertEqual(c.late.count, 1)
        XCTAssertEqual(c.rows.count, 0)
    }

    func testLateSessionRecordMergingIntoKeptSessionIsNotLate() throws {
        let o = try op(.session(gapMs: 10), lateness: 10)
        var c = Collector(o)
        try o.feed(["a", 1], ts: 100, &c)
        o.onWatermark(115, output: &c)
        XCTAssertEqual(rows(&c), ["+p0 cnt=1 k=\"a\" total=1 window_end=110 window_start=100"])
        // [95,105) alone would be late (104+10 <= 115) but it merges into [100,110) (kept until 119)
        try o.feed(["a", 1], ts: 95, &c)
        XCTAssertEqual(c.late.count, 0)
        XCTAssertEqual(rows(&c), ["+p0 cnt=2 k=\"a\" total=2 window_end=110 window_start=95"])
    }

    func testProcessingTimeWindowsWithInjectedClock() throws {
        let o = try op(.tumbling(sizeMs: 10), domain: .processingTime)
        let clock = ManualClock(3)
        o.open(OperatorContext(clock: clock))
        var c = Collector(o)
        try o.feed(["a", 1], ts: 999_999, &c)   // event time is ignored
        clock.now = 7
        try o.feed(["a", 2], ts: 0, &c)
        o.onWatermark(1000, output: &c)        // watermarks do not drive processing-time windows
        o.onProcessingTime(nowMs: 8, output: &c)
        XCTAssertEqual(c.rows.count, 0)
        o.onProcessingTime(nowMs: 9, output: &c)
        XCTAssertEqual(rows(&c), ["+p0 cnt=2 k=\"a\" total=3 window_end=10 window_start=0"])
        clock.now = 12
        try o.feed(["a", 5], ts: 0, &c)
        clock.now = 5                           // a clock that went back: its window is gone
        try o.feed(["a", 5], ts: 0, &c)
        XCTAssertEqual(c.late.count, 1)
        o.flush(output: &c)
        XCTAssertEqual(rows(&c), ["+p0 cnt=1 k=\"a\" total=5 window_end=20 window_start=10"])
    }

    func testProcessingTimeSessions() throws {
        let o = try op(.session(gapMs: 5), domain: .processingTime)
        let clock = ManualClock(100)
        o.open(OperatorContext(clock: clock))
        var c = Collector(o)
        try o.feed(["a", 1], ts: 0, &c)
        clock.now = 104
        try o.feed(["a", 1], ts: 0, &c)
        o.onProcessingTime(nowMs: 107, output: &c)
        XCTAssertEqual(c.rows.count, 0)
        o.onProcessingTime(nowMs: 108, output: &c)   // max timestamp of [100, 109)
        XCTAssertEqual(rows(&c), ["+p0 cnt=2 k=\"a\" total=2 window_end=109 window_start=100"])
    }

    func testAllAggregates() throws {
        let o = try WindowOperator(.init(
            keyFields: [.init(name: "k", slot: 0), .init(name: "k2", slot: 2)], window: .tumbling(sizeMs: 100),
            aggregates: [.count(as: "n"), .count(1, as: "n_v"), .sum(1, as: "sum"), .avg(1, as: "avg"),
                         .min(1, as: "min"), .max(1, as: "max"), .first(3, as: "first"), .last(3, as: "last"),
                         .countDistinct(3, as: "distinct"), .collect(3, maxSize: 3, as: "list")]))
        var c = Collector(o)
        try o.feed(["a", 0.1, 7, "x"], ts: 50, &c)
        try o.feed(["a", 0.2, 7, "y\"q"], ts: 10, &c)
        try o.feed(["a", nil, 7, "x"], ts: 60, &c)
        try o.feed(["a", 3, 7.0, nil], ts: 60, &c)   // 7.0 is the same key as 7
        try o.feed(["a", Cell.null, 7, "z"], ts: 20, &c)
        XCTAssertThrowsError(try o.feed(["a", "oops", 7, "w"], ts: 30, &c)) // not a number: rejected, no trace
        XCTAssertThrowsError(try o.feed([nil, 1, 7, "w"], ts: 30, &c))      // no key
        try o.feed(["a", -1, Cell.null, 1.5], ts: 0, &c)                     // null is a key value of its own
        o.flush(output: &c)
        XCTAssertEqual(rows(&c), [
            "+p0 avg=d:-1.0 distinct=1 first=d:1.5 k=\"a\" k2=null last=d:1.5 list=[1.5] max=-1 min=-1 n=1 n_v=1 sum=-1 window_end=100 window_start=0",
            "+p0 avg=d:1.1 distinct=3 first=\"y\"q\" k=\"a\" k2=7 last=\"x\" list=[\"x\",\"y\\\"q\",\"x\"] max=3 min=d:0.1 n=5 n_v=3 sum=d:3.3 window_end=100 window_start=0",
        ])
    }

    func testSumsStayExact() throws {
        let o = try op(.tumbling(sizeMs: 1000), aggs: [.sum(1, as: "s"), .avg(1, as: "a"), .min(1, as: "mn")])
        var c = Collector(o)
        // 0.1 + 0.2 is 0.30000000000000004 in naive double arithmetic
        try o.feed(["x", 0.1], ts: 1, &c)
        try o.feed(["x", 0.2], ts: 2, &c)
        // ints stay ints until they overflow, then become a double
        try o.feed(["big", Int64.max], ts: 1, &c)
        try o.feed(["big", 1], ts: 1, &c)
        // many cents
        var cents: Int64 = 0
        var r = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let v = Int64.random(in: 1...50_000, using: &r)
            cents += v
            try o.feed(["c", Double(v) / 100], ts: 5, &c)
        }
        // non-decimal input falls back to the compensated sum
        try o.feed(["third", 1.0 / 3.0], ts: 5, &c)
        try o.feed(["third", 1.0 / 3.0], ts: 5, &c)
        try o.feed(["third", 1.0 / 3.0], ts: 5, &c)
        // scale grows: 1.5 then 0.125 then 2
        try o.feed(["mix", 1.5], ts: 1, &c)
        try o.feed(["mix", 0.125], ts: 1, &c)
        try o.feed(["mix", 2], ts: 1, &c)
        o.flush(output: &c)
        let byKey = Dictionary(uniqueKeysWithValues: c.rows.map { ($0["k"]!, $0) })
        XCTAssertEqual(byKey["\"x\""]?["s"], "d:0.3")
        XCTAssertEqual(byKey["\"x\""]?["a"], "d:0.15")
        XCTAssertEqual(byKey["\"big\""]?["s"], "d:" + String(Double(Int64.max) + 1))
        XCTAssertEqual(byKey["\"c\""]?["s"], "d:" + String(Double(cents) / 100))
        XCTAssertEqual(byKey["\"third\""]?["s"], "d:1.0")
        XCTAssertEqual(byKey["\"mix\""]?["s"], "d:3.625")
        XCTAssertEqual(byKey["\"mix\""]?["mn"], "d:0.125")
    }

    func testMinMaxAcrossIntsAndDoubles() throws {
        let o = try op(.tumbling(sizeMs: 10), aggs: [.min(1, as: "mn"), .max(1, as: "mx")])
        var c = Collector(o)
        try o.feed(["a", 9_007_199_254_740_993], ts: 1, &c)      // 2^53 + 1: not a double
        try o.feed(["a", 9_007_199_254_740_992.0], ts: 1, &c)    // 2^53 as a double: smaller
        try o.feed(["a", Double.nan], ts: 1, &c)
        o.flush(output: &c)
        XCTAssertEqual(rows(&c), ["+p0 k=\"a\" mn=d:9007199254740992.0 mx=9007199254740993 window_end=10 window_start=0"])
    }

    func testFirstLastByEventTimeNotArrival() throws {
        let o = try op(.tumbling(sizeMs: 100), aggs: [.first(1, as: "f"), .last(1, as: "l")])
        var c = Collector(o)
        try o.feed(["a", "late-arriving-but-early"], ts: 5, &c)
        try o.feed(["a", "b"], ts: 50, &c)
        try o.feed(["a", "earliest"], ts: 1, &c)
        try o.feed(["a", "latest-long-string-value-that-does-not-fit-in-place"], ts: 90, &c)
        try o.feed(["a", "tie-later"], ts: 90, &c)   // a tie goes to the later arrival for last
        try o.feed(["a", "tie-first"], ts: 1, &c)    // and to the earlier arrival for first
        o.flush(output: &c)
        XCTAssertEqual(rows(&c), ["+p0 f=\"earliest\" k=\"a\" l=\"tie-later\" window_end=100 window_start=0"])
    }

    func testBadRecordsLeaveNoState() throws {
        let o = try op(.tumbling(sizeMs: 10))
        var c = Collector(o)
        XCTAssertThrowsError(try o.feed(["a", "x"], ts: 1, &c))
        XCTAssertThrowsError(try o.feed([nil, 1], ts: 1, &c))
        XCTAssertThrowsError(try o.feed(["a", 1], ts: Int64.max, &c))
        XCTAssertThrowsError(try o.feed(["a", 1], ts: 1, partition: -1, &c))
        XCTAssertEqual(o.windowCount(partition: 0), 0)
        o.flush(output: &c)
        XCTAssertEqual(c.rows.count, 0)
    }

    func testManyKeysAndWindowsGrowTables() throws {
        let o = try op(.sliding(sizeMs: 100, slideMs: 10))
        var c = Collector(o)
        var expected: [String: Int] = [:]
        for i in 0..<20_000 {
            let k = "key-\(i % 3000)"
            let ts = Int64(i / 10)
            try o.feed([k, 1], ts: ts, &c)
            for s in SlidingWindows.windows(of: ts, size: 100, slide: 10, offset: 0) { expected["\(k)|\(s.start)", default: 0] += 1 }
            if i % 1000 == 999 { o.onWatermark(ts - 50, output: &c) }
        }
        o.flush(output: &c)
        var got: [String: Int] = [:]
        for r in c.rows {
            XCTAssertEqual(r.kind, .insert)
            let key = "\(r["k"]!.dropFirst().dropLast())|\(r["window_start"]!)"
            XCTAssertNil(got[key], "fired twice: \(key)")
            got[key] = Int(r["cnt"]!)
        }
        XCTAssertEqual(got, expected)
        XCTAssertEqual(o.windowCount(partition: 0), 0)
    }
}

/// Time per state partition (docs/windows.md, "Event time per partition"):
/// each partition's windows fire, and its records are judged late, by its own
/// watermark; the operator-wide `onWatermark` still moves every partition.
final class WindowOperatorPartitionTimeTests: XCTestCase {
    func op(_ window: WindowSpec, lateness: Int64 = 0) throws -> WindowOperator {
        try WindowOperator(.init(keyFields: [.init(name: "k", slot: 0)], window: window,
                                 allowedLatenessMs: lateness, aggregates: [.count(as: "cnt")]))
    }

    func feed(_ o: WindowOperator, _ key: String, ts: Int64, wm: Int64, partition: Int, _ c: inout Collector) throws {
        var row = makeRow([key, 0])
        try o.process(row: &row, timestampMs: ts, watermarkMs: wm, partition: partition, output: &c)
    }

    func testSessionsOfTwoPartitionsKeepTheirOwnTime() throws {
        let o = try op(.session(gapMs: 10))
        var c = Collector(o)
        try feed(o, "a", ts: 0, wm: 0, partition: 0, &c)
        try feed(o, "b", ts: 500, wm: 500, partition: 1, &c)
        o.onWatermark(500, partition: 1, output: &c)
        XCTAssertEqual(c.rows.count, 0, "partition 1's time does not fire partition 0's session")
        try feed(o, "a", ts: 8, wm: 8, partition: 0, &c)     // extends a's session: not late
        XCTAssertEqual(c.late.count, 0)
        o.onWatermark(17, partition: 0, output: &c)
        XCTAssertEqual(c.rows.map(\.description), ["+p0 cnt=2 k=\"a\" window_end=18 window_start=0"])
        XCTAssertEqual(o.nextTimerMs(partition: 1), 509)
        XCTAssertEqual(o.nextTimerMs(partition: 2), .max, "no state, no timer")
    }

    func testLatenessIsJudgedPerRecordAgainstItsPartition() throws {
        let o = try op(.tumbling(sizeMs: 10))
        var c = Collector(o)
        try feed(o, "a", ts: 25, wm: 25, partition: 0, &c)  // partition 0 at 25, no advance yet
        try feed(o, "a", ts: 5, wm: 25, partition: 0, &c)   // [0,10) is past 25 on partition 0: late at once
        try feed(o, "b", ts: 5, wm: 5, partition: 1, &c)    // the same time on partition 1: on time
        XCTAssertEqual(c.late.map(\.partition), [0])
        XCTAssertEqual(c.rows.count, 0, "firing waits for onWatermark")
        o.onWatermark(25, partition: 0, output: &c)
        o.onWatermark(5, partition: 1, output: &c)
        XCTAssertEqual(c.rows.count, 0, "[20,30) and partition 1's [0,10) are not due")
        o.onWatermark(9, partition: 1, output: &c)
        XCTAssertEqual(c.rows.map(\.description), ["+p1 cnt=1 k=\"b\" window_end=10 window_start=0"])
    }

    func testARestoredPartitionGetsItsTimeBackWithoutFiring() throws {
        let source = try op(.tumbling(sizeMs: 10))
        var c = Collector(source)
        try feed(source, "a", ts: 3, wm: 3, partition: 2, &c)
        try feed(source, "a", ts: 12, wm: 12, partition: 2, &c)   // [0,10) due at 12 but not fired: no advance yet
        let snapshot = source.snapshotChunks(partition: 2)

        let target = try op(.tumbling(sizeMs: 10))
        var t = Collector(target)
        try feed(target, "z", ts: 1_000, wm: 1_000, partition: 0, &t)
        target.onWatermark(1_000, partition: 0, output: &t)
        try target.restore(partition: 2, chunks: snapshot)
        target.restoreWatermark(12, partition: 2)
        XCTAssertEqual(t.rows.count, 0, "restoring fires nothing")
        try feed(target, "a", ts: 14, wm: 14, partition: 2, &t)
        XCTAssertEqual(t.late.count, 0, "judged by partition 2's time (14), not partition 0's (1,000)")
        try feed(target, "a", ts: 7, wm: 14, partition: 2, &t)
        XCTAssertEqual(t.late.count, 1, "but [0,10) is past partition 2's own time")
        target.onWatermark(14, partition: 2, output: &t)
        XCTAssertEqual(t.rows.map(\.description), ["+p2 cnt=1 k=\"a\" window_end=10 window_start=0"],
                       "the due window fires at the partition's next advance")
    }

    func testTheOperatorWideWatermarkStillMovesEveryPartition() throws {
        let o = try op(.tumbling(sizeMs: 10))
        var c = Collector(o)
        try feed(o, "a", ts: 1, wm: .min, partition: 0, &c)
        try feed(o, "b", ts: 2, wm: .min, partition: 1, &c)
        o.onWatermark(9, output: &c)
        XCTAssertEqual(c.rows.count, 2)
        try feed(o, "c", ts: 3, wm: .min, partition: 3, &c)   // a partition created after: starts at the operator's time
        XCTAssertEqual(c.late.map(\.partition), [3])
    }
}
