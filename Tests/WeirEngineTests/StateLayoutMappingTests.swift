import XCTest
import WeirFormats
@testable import WeirEngine

/// Which pipeline edits keyed state survives (docs/state-format.md,
/// "Compatibility"): every refused change with its message, every compatible
/// one with the results it must give after the restore.
final class StateLayoutMappingTests: XCTestCase {
    static let minute: Int64 = 60_000

    func window(_ aggregates: [AggregateSpec], keys: [WindowOperatorConfig.KeyField] = [.init(name: "user_id", slot: 0)],
                _ spec: WindowSpec = .tumbling(sizeMs: minute), domain: TimeDomain = .eventTime,
                lateness: Int64 = 0, startName: String = "window_start") throws -> WindowOperator {
        try WindowOperator(.init(keyFields: keys, window: spec, timeDomain: domain, allowedLatenessMs: lateness,
                                 aggregates: aggregates, windowStartName: startName))
    }

    /// State of one record in `old`, restored into `new`: nil, or why it was refused.
    func refusal(_ old: any Operator, _ new: any Operator) throws -> String? {
        var c = Collector(old)
        try old.feed(["u1", 5, "p"], ts: 1_000, &c)
        do {
            try new.restore(partition: 0, bytes: old.snapshot(partition: 0))
            return nil
        } catch {
            XCTAssertEqual(new.partitions, [], "a refused restore leaves no state")
            return error.message
        }
    }

    func assertRefused(_ old: any Operator, _ new: any Operator, _ expected: String, line: UInt = #line) throws {
        let message = try refusal(old, new)
        XCTAssertNotNil(message, "must be refused", line: line)
        XCTAssertTrue(message?.contains(expected) == true, "\(message ?? "nil") should say: \(expected)", line: line)
        XCTAssertTrue(message?.contains("not compatible with the saved state") == true, line: line)
    }

    let revenue = AggregateSpec.sum(1, as: "revenue").inputNamed("amount")

    // MARK: refused

    func testAnAggregateWithTheSameNameButAnotherFunctionOrInputIsRefused() throws {
        try assertRefused(window([revenue]), window([.avg(1, as: "revenue").inputNamed("amount")]),
                          "aggregate 'revenue' was sum(amount), is now avg(amount)")
        try assertRefused(window([revenue]), window([.sum(1, as: "revenue").inputNamed("price")]),
                          "aggregate 'revenue' was sum(amount), is now sum(price)")
        try assertRefused(window([.collect(2, maxSize: 10, as: "pages").inputNamed("page")]),
                          window([.collect(2, maxSize: 20, as: "pages").inputNamed("page")]),
                          "aggregate 'pages' was collect(page, 10), is now collect(page, 20)")
        try assertRefused(window([.count(as: "n")]), window([.count(1, as: "n").inputNamed("amount")]),
                          "aggregate 'n' was count(), is now count(amount)")
    }

    func testChangedKeyFieldsAreRefused() throws {
        try assertRefused(window([revenue]),
                          window([revenue], keys: [.init(name: "user_id", slot: 0), .init(name: "page", slot: 2)]),
                          "key fields were [user_id], are now [user_id, page]")
        try assertRefused(window([revenue], keys: [.init(name: "user", slot: 0, source: "user_id")]),
                          window([revenue], keys: [.init(name: "user", slot: 0, source: "lower(user_id)")]),
                          "key field 'user' was user_id, is now lower(user_id)")
    }

    func testChangedWindowsAreRefused() throws {
        let m = Self.minute
        try assertRefused(window([revenue], .tumbling(sizeMs: m)), window([revenue], .tumbling(sizeMs: 5 * m)),
                          "window size was 1m, is now 5m")
        try assertRefused(window([revenue], .tumbling(sizeMs: m)), window([revenue], .tumbling(sizeMs: m, offsetMs: 15_000)),
                          "window offset was 0 ms, is now 15s")
        try assertRefused(window([revenue], .tumbling(sizeMs: m)), window([revenue], .sliding(sizeMs: m, slideMs: 30_000)),
                          "window type was tumbling, is now sliding")
        try assertRefused(window([revenue], .sliding(sizeMs: 10 * m, slideMs: m)), window([revenue], .sliding(sizeMs: 10 * m, slideMs: 2 * m)),
                          "window slide was 1m, is now 2m")
        try assertRefused(window([revenue], .session(gapMs: 30_000)), window([revenue], .session(gapMs: 90_000)),
                          "session gap was 30s, is now 1m30s")
        try assertRefused(window([revenue]), window([revenue], domain: .processingTime),
                          "time domain was event time, is now processing time")
    }

    func testAWindowStateIsNotReadByAReduceAndEveryProblemIsNamed() throws {
        let reduce = try KeyedReduceOperator(.init(keyFields: [.init(name: "user_id", slot: 0)], aggregates: [revenue]))
        try assertRefused(window([revenue]), reduce, "the state was written by a window aggregate, the pipeline now has a running reduce")
        // several changes at once: all of them in one message
        let message = try refusal(window([revenue]), window([.avg(1, as: "revenue").inputNamed("amount")], .tumbling(sizeMs: 2 * Self.minute)))
        XCTAssertTrue(message?.contains("window size was 1m, is now 2m") == true, message ?? "")
        XCTAssertTrue(message?.contains("aggregate 'revenue' was sum(amount), is now avg(amount)") == true, message ?? "")
    }

    // MARK: compatible

    /// The edit of the issue: a new aggregate (its input in another slot, as
    /// after an added map) next to the old ones. Old aggregates continue over
    /// all records; the new one sees only records after the restore — also in
    /// a window that fired before (a late update within the allowed lateness).
    func testANewAggregateStartsEmptyAndTheOldOnesContinue() throws {
        let old = try window([.count(as: "n"), revenue], lateness: 10 * Self.minute)
        var c = Collector(old)
        try old.feed(["u1", 50], ts: 1_000, &c)
        try old.feed(["u1", 70], ts: 2_000, &c)
        try old.feed(["u2", 90], ts: 3_000, &c)
        try old.feed(["u1", 10], ts: 61_000, &c)
        old.onWatermark(Self.minute, output: &c)                  // [0, 1m) fires
        XCTAssertEqual(c.take().count, 2)

        // input rows are now [user_id, page, amount]
        let new = try window([.count(as: "n"), .sum(2, as: "revenue").inputNamed("amount"), .max(2, as: "top").inputNamed("amount")],
                             lateness: 10 * Self.minute)
        var d = Collector(new)
        try new.restore(partition: 0, bytes: old.snapshot(partition: 0))
        new.onWatermark(Self.minute, output: &d)
        XCTAssertEqual(d.take(), [], "fired windows do not fire again on restore")
        try new.feed(["u1", "p", 5], ts: 4_000, &d)               // late, within the lateness: an update
        try new.feed(["u1", "p", 3], ts: 62_000, &d)
        new.flush(output: &d)
        XCTAssertEqual(d.rows.map(\.description), [
            "~p0 n=3 revenue=125 top=5 user_id=\"u1\" window_end=60000 window_start=0",
            "+p0 n=2 revenue=13 top=3 user_id=\"u1\" window_end=120000 window_start=60000",
        ])
        let mapping = try StateLayoutMapping(from: old.stateLayout.layout, to: new.stateLayout.layout)
        XCTAssertEqual(mapping.added, ["top"])
        XCTAssertEqual(mapping.dropped, [])
        XCTAssertEqual(mapping.summary, "new aggregate 'top' starts empty in every restored key and window")
    }

    /// Removed aggregates of every state shape (text values, value lists,
    /// custom bytes) between kept ones are skipped; kept ones may move.
    func testRemovedAggregatesAreDroppedAndKeptOnesMayMove() throws {
        let old = try window([.collect(2, maxSize: 4, as: "list").inputNamed("page"), .count(as: "n"),
                              .first(2, as: "f").inputNamed("page"), .countDistinct(2, as: "d").inputNamed("page"),
                              .custom(SpreadAggregator(slot: 1), as: "spread"), .sum(1, as: "s").inputNamed("amount"),
                              .last(2, as: "l").inputNamed("page")])
        var c = Collector(old)
        try old.feed(["x", 1, "a"], ts: 10, &c)
        try old.feed(["x", 5, "b"], ts: 20, &c)
        try old.feed(["y", 3, "c"], ts: 30, &c)
        let new = try window([.sum(1, as: "s").inputNamed("amount"), .count(as: "n"), .last(2, as: "l").inputNamed("page"),
                              .max(1, as: "mx").inputNamed("amount")])
        var d = Collector(new)
        try new.restore(partition: 0, bytes: old.snapshot(partition: 0))
        try new.feed(["x", 2, "d"], ts: 40, &d)
        new.flush(output: &d)
        XCTAssertEqual(d.rows.map(\.description).sorted(), [
            "+p0 l=\"c\" mx=null n=1 s=3 user_id=\"y\" window_end=60000 window_start=0",
            "+p0 l=\"d\" mx=2 n=3 s=8 user_id=\"x\" window_end=60000 window_start=0",
        ])
        let mapping = try StateLayoutMapping(from: old.stateLayout.layout, to: new.stateLayout.layout)
        XCTAssertEqual(mapping.dropped, ["list", "f", "d", "spread"])
        XCTAssertEqual(mapping.added, ["mx"])
        XCTAssertTrue(mapping.summary.contains("the state of removed aggregates 'list', 'f', 'd', 'spread' is dropped"), mapping.summary)
    }

    /// Output names of keys and window bounds and the allowed lateness are not
    /// part of the state: changing them reads the state as it is.
    func testRenamesAndLatenessKeepTheStateAsItIs() throws {
        let old = try window([.count(as: "n"), revenue], keys: [.init(name: "user_id", slot: 0)])
        let new = try window([.count(as: "n"), revenue], keys: [.init(name: "user", slot: 0, source: "user_id")],
                             lateness: 5_000, startName: "from")
        XCTAssertNil(try refusal(old, new))
        XCTAssertNil(try old.stateLayout.encoded.withUnsafeBytes { try new.stateLayout.mapping(forSaved: $0) },
                     "same aggregates in the same order: records are read as they are")
        var d = Collector(new)
        new.flush(output: &d)
        XCTAssertEqual(d.rows.map(\.description), ["+p0 from=0 n=1 revenue=5 user=\"u1\" window_end=60000"])
    }

    func testAReduceTakesANewAggregateToo() throws {
        let make = { (aggs: [AggregateSpec]) in try KeyedReduceOperator(.init(keyFields: [.init(name: "k", slot: 0)], aggregates: aggs)) }
        let old = try make([.count(as: "n"), .sum(1, as: "s").inputNamed("v")])
        var c = Collector(old)
        try old.feed(["a", 10], ts: 0, &c)
        try old.feed(["a", 20], ts: 0, &c)
        let new = try make([.sum(1, as: "s").inputNamed("v"), .count(as: "n"), .min(1, as: "lo").inputNamed("v")])
        try new.restore(partition: 0, bytes: old.snapshot(partition: 0))
        var d = Collector(new)
        try new.feed(["a", 15], ts: 0, &d)
        XCTAssertEqual(d.rows.map(\.description), ["~p0 k=\"a\" lo=15 n=3 s=45"])
    }

    // MARK: the layout bytes

    func testTheLayoutRoundTripsAndCorruptLayoutsAreRefused() throws {
        let op = try window([.count(as: "n"), revenue, .collect(2, maxSize: 3, as: "c").inputNamed("`user agent`")],
                            keys: [.init(name: "h", slot: 0, source: "lower(host)"), .init(name: "p", slot: 2)],
                            .sliding(sizeMs: 600_000, slideMs: 60_000, offsetMs: -5), domain: .processingTime)
        let bytes = op.stateLayout.encoded
        let back = bytes.withUnsafeBytes { StateLayout.decode($0, kind: .windows) }
        XCTAssertEqual(back, op.stateLayout.layout)
        for n in 0..<bytes.count {
            XCTAssertNil(Array(bytes[0..<n]).withUnsafeBytes { StateLayout.decode($0, kind: .windows) }, "truncated at \(n)")
        }
        var flipped = bytes
        for i in flipped.indices {   // no crash, whatever a flipped byte means
            flipped[i] ^= 0xFF
            _ = flipped.withUnsafeBytes { StateLayout.decode($0, kind: .windows) }
            flipped[i] ^= 0xFF
        }
        // a snapshot whose layout says nonsense is refused, not read
        var snap = op.snapshot(partition: 0)
        snap[StateSnapshot.fixedHeaderSize] = 0xFF
        XCTAssertThrowsError(try window([.count(as: "n")]).restore(partition: 0, bytes: snap))
    }
}
