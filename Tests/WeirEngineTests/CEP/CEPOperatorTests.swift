import XCTest
import WeirFormats
@testable import WeirEngine

/// The keyed CEP operator: event-time buffering and order, lateness, timers,
/// processing time, measures, the partial-match cap, snapshots.
/// Input rows: slot 0 = user (the key), 1 = kind, 2 = amount.
final class CEPOperatorTests: XCTestCase {
    private func isKind(_ k: String) -> (CEPEvent) -> Bool { { $0[1] == .string(k) } }

    private func op(_ pattern: Pattern<CEPEvent>, measures: [CEPMeasure]? = nil, time: TimeDomain = .eventTime,
                    cap: Int = 10_000, timedOut: String? = nil) throws -> CEPOperator {
        let m = measures ?? [.count(stage: pattern.stages[0].name, as: "n"), .matchStart(as: "start"), .matchEnd(as: "end")]
        return try CEPOperator(CEPOperatorConfig(keyFields: [.init(name: "user", slot: 0)], pattern: pattern, timeDomain: time,
                                                 measures: m, maxPartialMatchesPerKey: cap, timedOutField: timedOut,
                                                 inputSlotCount: 3))
    }

    private var failsThenOk: Pattern<CEPEvent> {
        Pattern<CEPEvent>.begin("fail", skip: .skipPastLastEvent).where(isKind("fail")).times(2).consecutive()
            .next("ok").where(isKind("ok"))
    }

    func testOutOfOrderRecordsRunInEventTimeOrderOnceTheWatermarkPassesThem() throws {
        let o = try op(failsThenOk, measures: [.count(stage: "fail", as: "fails"), .sum(stage: "fail", slot: 2, as: "lost"),
                                              .last(stage: "ok", slot: 2, as: "okAmount"),
                                              .matchStart(as: "start"), .matchEnd(as: "end")])
        var out = Collector(o)
        try o.feed(["u1", "ok", 7], ts: 3, &out)
        try o.feed(["u1", "fail", 5], ts: 1, &out)
        try o.feed(["u1", "fail", 6], ts: 2, &out)
        XCTAssertEqual(out.rows, [])
        XCTAssertEqual(o.bufferedRecordCount, 3)
        o.onWatermark(2, partition: 0, output: &out)
        XCTAssertEqual(out.rows, [])   // ok@3 not yet passed
        o.onWatermark(3, partition: 0, output: &out)
        XCTAssertEqual(out.take().map(\.description), ["+p0 end=3 fails=2 lost=11 okAmount=7 start=1 user=\"u1\""])
        XCTAssertEqual(o.bufferedRecordCount, 0)
        XCTAssertEqual(o.stateCounts.keys, 0, "a key with nothing left is forgotten")
    }

    func testTiesRunInArrivalOrder() throws {
        let p = Pattern<CEPEvent>.begin("a").where(isKind("a")).next("b").where(isKind("b"))
        let o = try op(p)
        var out = Collector(o)
        try o.feed(["u1", "a", 0], ts: 5, &out)
        try o.feed(["u1", "b", 0], ts: 5, &out)
        try o.feed(["u2", "b", 0], ts: 5, &out)
        try o.feed(["u2", "a", 0], ts: 5, &out)
        o.onWatermark(5, partition: 0, output: &out)
        XCTAssertEqual(out.take().map { $0["user"] }, ["\"u1\""])
    }

    func testRecordsBehindTheWatermarkAreLate() throws {
        let o = try op(failsThenOk)
        var out = Collector(o)
        try o.feed(["u1", "fail", 0], ts: 9, &out)
        o.onWatermark(10, partition: 0, output: &out)
        try o.feed(["u1", "fail", 0], ts: 9, &out)    // behind the watermark: late
        try o.feed(["u1", "fail", 0], ts: 10, &out)   // at it: a tie with the newest record, runs after it
        try o.feed(["u1", "ok", 0], ts: 11, &out)
        XCTAssertEqual(o.lateRecordCount, 1)
        XCTAssertEqual(out.late.map(\.ts), [9])
        XCTAssertEqual(o.bufferedRecordCount, 2)
        o.onWatermark(11, partition: 0, output: &out)
        XCTAssertEqual(out.take().map { $0["start"] }, ["9"], "fail@9 fail@10 ok@11")
        // lateness is per partition
        try o.feed(["u9", "fail", 0], ts: 5, partition: 1, &out)
        XCTAssertEqual(o.bufferedRecordCount, 1)
        XCTAssertEqual(o.lateRecordCount, 1)
    }

    func testAbsenceAlertFiresOnTheWatermarkAlone() throws {
        let p = Pattern<CEPEvent>.begin("order").where(isKind("order")).notFollowedBy("pay").where(isKind("pay")).within(ms: 15)
        let o = try op(p)
        var out = Collector(o)
        try o.feed(["u1", "order", 0], ts: 100, &out)
        try o.feed(["u2", "order", 0], ts: 101, &out)
        try o.feed(["u2", "pay", 0], ts: 110, &out)
        o.onWatermark(110, partition: 0, output: &out)
        XCTAssertEqual(o.nextTimerMs(partition: 0), 115)
        o.onWatermark(114, partition: 0, output: &out)
        XCTAssertEqual(out.rows, [])
        o.onWatermark(115, partition: 0, output: &out)
        XCTAssertEqual(out.take().map(\.description), ["+p0 end=100 n=1 start=100 user=\"u1\""])
        o.onWatermark(1_000, partition: 0, output: &out)
        XCTAssertEqual(out.rows, [], "u2 paid")
        XCTAssertEqual(o.stateCounts.keys, 0)
    }

    func testTimedOutPartialMatchesAreEmittedWhenAsked() throws {
        let p = Pattern<CEPEvent>.begin("view").where(isKind("view")).followedBy("buy").where(isKind("buy")).within(ms: 60)
        let o = try op(p, timedOut: "timed_out")
        var out = Collector(o)
        try o.feed(["u1", "view", 0], ts: 10, &out)
        try o.feed(["u2", "view", 0], ts: 20, &out)
        try o.feed(["u2", "buy", 0], ts: 50, &out)
        o.onWatermark(100, partition: 0, output: &out)
        XCTAssertEqual(Set(out.take().map(\.description)), [
            "+p0 end=50 n=1 start=20 timed_out=false user=\"u2\"",
            "+p0 end=10 n=1 start=10 timed_out=true user=\"u1\"",
        ])
        XCTAssertEqual(o.timedOutCount, 1)
        XCTAssertEqual(o.matchCount, 1)
    }

    func testProcessingTimeRunsRecordsOnArrival() throws {
        let p = Pattern<CEPEvent>.begin("a").where(isKind("a")).followedBy("b").where(isKind("b")).within(ms: 100)
        let o = try op(p, time: .processingTime, timedOut: "late")
        let clock = ManualClock(1_000)
        o.open(OperatorContext(clock: clock))
        var out = Collector(o)
        try o.feed(["u1", "a", 0], ts: 0, &out)
        clock.now = 1_050
        try o.feed(["u1", "b", 0], ts: 0, &out)
        XCTAssertEqual(out.take().map(\.description), ["+p0 end=1050 late=false n=1 start=1000 user=\"u1\""])
        try o.feed(["u1", "a", 0], ts: 0, &out)
        clock.now = 1_149
        o.onProcessingTime(nowMs: 1_149, output: &out)
        XCTAssertEqual(out.rows, [])
        o.onProcessingTime(nowMs: 1_150, output: &out)
        XCTAssertEqual(out.take().map(\.description), ["+p0 end=1050 late=true n=1 start=1050 user=\"u1\""])
    }

    func testPartialMatchCapDropsTheEarliest() throws {
        let p = Pattern<CEPEvent>.begin("a").where(isKind("a")).followedByAny("b").where(isKind("b"))
        let o = try op(p, cap: 3)
        var out = Collector(o)
        for t in 1...5 { try o.feed(["u1", "a", t], ts: Int64(t), &out) }
        try o.feed(["u1", "b", 0], ts: 6, &out)
        o.onWatermark(6, partition: 0, output: &out)
        XCTAssertEqual(o.droppedPartialMatchCount, 2)
        XCTAssertEqual(out.take().map { $0["start"] }, ["3", "4", "5"])
    }

    func testFlushRunsEverythingBuffered() throws {
        let o = try op(failsThenOk)
        var out = Collector(o)
        for (k, t) in [("fail", 1), ("fail", 2), ("ok", 3)] { try o.feed(["u1", k, 0], ts: Int64(t), &out) }
        o.flush(output: &out)
        XCTAssertEqual(out.take().count, 1)
    }

    func testIdleKeysStayIndexedUpToALimitAndHoldNothing() throws {
        let p = Pattern<CEPEvent>.begin("a", skip: .skipPastLastEvent).where(isKind("a")).next("b").where(isKind("b"))
        let o = try op(p)
        var out = Collector(o)
        let n = CEPOperator.idleKeyLimit + 50
        for i in 0..<n { try o.feed(["u\(i)", "x", 0], ts: Int64(i), &out) }   // x starts nothing: every key goes idle
        o.onWatermark(Int64(n), partition: 0, output: &out)
        XCTAssertEqual(o.idleKeyCount, CEPOperator.idleKeyLimit, "the oldest idle keys are forgotten past the limit")
        XCTAssertEqual(o.stateCounts.keys, 0, "idle keys are not counted")
        XCTAssertEqual(o.bufferedRecordCount, 0)
        // an idle key (u(n-1)), a forgotten one (u0) and a new one match as before
        for (i, k) in [("u\(n - 1)", "a"), ("u0", "a"), ("new", "a"), ("u\(n - 1)", "b"), ("u0", "b"), ("new", "b")].enumerated() {
            try o.feed([k.0, k.1, 0], ts: Int64(n + 1 + i), &out)
        }
        o.onWatermark(Int64(n + 10), partition: 0, output: &out)
        XCTAssertEqual(out.take().compactMap { $0["user"] }.sorted(), ["\"new\"", "\"u0\"", "\"u\(n - 1)\""])
        XCTAssertLessThanOrEqual(o.idleKeyCount, CEPOperator.idleKeyLimit)
        // a snapshot leaves idle keys out, as if forgotten
        let fresh = try op(p)
        try fresh.restore(partition: 0, bytes: o.snapshot(partition: 0))
        XCTAssertEqual(fresh.snapshot(partition: 0), o.snapshot(partition: 0))
        XCTAssertEqual(fresh.stateCounts.keys, 0)
        try o.feed(["u100", "a", 0], ts: Int64(n + 20), &out)   // wakes an idle key
        XCTAssertEqual(o.stateCounts.keys, 1)
        o.dropPartition(0)
        XCTAssertEqual(o.idleKeyCount, 0)
    }

    // MARK: snapshots

    private let script: [(String, String, Int64)] = [
        ("u1", "fail", 1), ("u2", "fail", 2), ("u1", "fail", 3), ("u1", "fail", 4), ("u2", "fail", 5),
        ("u2", "ok", 6), ("u1", "ok", 7), ("u3", "fail", 8), ("u3", "fail", 9), ("u3", "ok", 10),
    ]

    private func runScript(restoreAfter cut: Int?) throws -> [String] {
        var o = try op(failsThenOk, measures: [.count(stage: "fail", as: "n"), .matchStart(as: "start"), .matchEnd(as: "end")])
        var out = Collector(o)
        for (i, r) in script.enumerated() {
            try o.feed([r.0, r.1, 0], ts: r.2, &out)
            if i % 3 == 2 { o.onWatermark(r.2 - 1, partition: 0, output: &out) }   // leaves the last one buffered
            if i == cut {
                let snap = o.snapshot(partition: 0)
                o = try op(failsThenOk, measures: [.count(stage: "fail", as: "n"), .matchStart(as: "start"), .matchEnd(as: "end")])
                try o.restore(partition: 0, bytes: snap)
            }
        }
        o.onWatermark(100, partition: 0, output: &out)
        return out.rows.map(\.description)
    }

    func testRestoredStateContinuesExactlyAsAnUninterruptedRun() throws {
        let expected = try runScript(restoreAfter: nil)
        XCTAssertEqual(expected.count, 3)
        for cut in 0..<script.count {
            XCTAssertEqual(try runScript(restoreAfter: cut), expected, "restored after record \(cut)")
        }
    }

    func testRestoreRefusesAnotherPattern() throws {
        let o = try op(failsThenOk)
        var out = Collector(o)
        try o.feed(["u1", "fail", 0], ts: 1, &out)
        let snap = o.snapshot(partition: 0)
        let other = try op(Pattern<CEPEvent>.begin("fail").where(isKind("fail")).times(3).next("ok").where(isKind("ok")))
        XCTAssertThrowsError(try other.restore(partition: 0, bytes: snap)) { e in
            XCTAssertTrue("\(e)".contains("another pattern"), "\(e)")
        }
        XCTAssertThrowsError(try o.restore(partition: 0, bytes: Array(snap.prefix(snap.count - 3))))
        XCTAssertThrowsError(try o.restore(partition: 0, bytes: [1, 2, 3]))
    }

    /// Snapshot bytes come from Kafka: a damaged one is refused or, if it still
    /// parses, runs on without crashing.
    func testDamagedSnapshotsNeverCrash() throws {
        let p = Pattern<CEPEvent>.begin("a").where(isKind("a")).followedByAny("b").where(isKind("b")).oneOrMore()
            .followedBy("c").where(isKind("c")).within(ms: 100)
        let o = try op(p)
        var out = Collector(o)
        for (i, k) in ["a", "b", "a", "b", "b", "x", "c"].enumerated() { try o.feed(["u1", k, i], ts: Int64(i + 1), &out) }
        o.onWatermark(5, partition: 0, output: &out)
        let snap = o.snapshot(partition: 0)
        var refused = 0, restored = 0
        for i in 4..<snap.count {
            for v: UInt8 in [0, 0xff] where snap[i] != v {
                var bad = snap
                bad[i] = v
                let fresh = try op(p)
                var sink = Collector(fresh)
                do {
                    try fresh.restore(partition: 0, bytes: bad)
                    restored += 1
                    try fresh.feed(["u1", "c", 0], ts: 50, &sink)
                    fresh.onWatermark(1_000, partition: 0, output: &sink)
                } catch {
                    refused += 1
                }
            }
        }
        XCTAssertGreaterThan(refused, 0)
        XCTAssertGreaterThan(restored, 0)
    }

    func testMeasuresOverAStageWithoutEvents() throws {
        let p = Pattern<CEPEvent>.begin("a").where(isKind("a")).next("b").where(isKind("b")).optional().next("c").where(isKind("c"))
        let o = try op(p, measures: [.count(stage: "b", as: "nb"), .sum(stage: "b", slot: 2, as: "sb"),
                                     .first(stage: "b", slot: 2, as: "fb"), .avg(stage: "b", slot: 2, as: "ab"),
                                     .max(stage: "a", slot: 2, as: "ma")])
        var out = Collector(o)
        try o.feed(["u1", "a", 4], ts: 1, &out)
        try o.feed(["u1", "c", 0], ts: 2, &out)
        o.onWatermark(2, partition: 0, output: &out)
        XCTAssertEqual(out.take().map(\.description), ["+p0 ab=null fb=null ma=4 nb=0 sb=0 user=\"u1\""])
    }

    func testConfigErrors() {
        XCTAssertThrowsError(try op(failsThenOk, measures: [.count(stage: "nope", as: "n")]))
        XCTAssertThrowsError(try op(failsThenOk, measures: [.count(stage: "fail", as: "user")]))
        XCTAssertThrowsError(try op(Pattern<CEPEvent>.begin("a").followedBy("a")))
        XCTAssertThrowsError(try op(failsThenOk, cap: 0))
    }
}
