import XCTest
@testable import WeirEngine

/// Iterative conditions, quantifiers, and the MATCH_RECOGNIZE documentation's
/// vectors written as the CEP patterns Flink's SQL planner builds
/// (`A+` = oneOrMore.consecutive.greedy, `B*` = oneOrMore.optional.consecutive(.greedy), concatenation = next).
final class CEPConditionTests: XCTestCase {
    private func prices(_ ps: [Int]) -> [Ev] {
        ps.enumerated().map { Ev(id: "p\($0.element)", ts: Int64($0.offset + 1), price: $0.element) }
    }

    private func sumBelow30(_ skip: AfterMatchSkipStrategy) -> Pattern<Ev> {
        // DEFINE A AS SUM(A.price) < 30 (the row being tested included)
        Pattern<Ev>.begin("A", skip: skip).where { e, ctx in ctx.events("A").reduce(e.price) { $0 + $1.price } < 30 }
            .oneOrMore().consecutive().greedy().next("C")
    }

    private func rows(_ p: Pattern<Ev>) throws -> [String] {
        let nfa = try NFA(p)
        let st = nfa.makeState()
        var m: [Match<Ev>] = [], t: [TimedOutMatch<Ev>] = []
        for e in prices([7, 9, 10, 5, 10, 7, 14]) {
            nfa.advanceTime(e.ts, state: st, matches: &m, timedOut: &t)
            nfa.process(e, timestamp: e.ts, state: st, matches: &m)
        }
        return m.map { "\($0.events("A").reduce(0) { $0 + $1.price }):\($0.startTimestamp)-\($0.endTimestamp)" }
    }

    func testMatchRecognizeSkipPastLastRow() throws {
        XCTAssertEqual(try rows(sumBelow30(.skipPastLastEvent)), ["26:1-4", "17:5-7"])
    }

    func testMatchRecognizeSkipToNextRow() throws {
        XCTAssertEqual(try rows(sumBelow30(.skipToNext)), ["26:1-4", "24:2-5", "25:3-6", "22:4-7", "17:5-7"])
    }

    func testMatchRecognizeSkipToLastA() throws {
        XCTAssertEqual(try rows(sumBelow30(.skipToLast("A"))), ["26:1-4", "25:3-6", "17:5-7"])
    }

    /// `(A B* C)`, A > 10, B < 15, C > 12 over 10 11 12 13 14 16, SKIP PAST LAST ROW.
    private func abc(greedy: Bool) -> Pattern<Ev> {
        var b = Pattern<Ev>.begin("A", skip: .skipPastLastEvent).where { $0.price > 10 }
            .next("B").where { $0.price < 15 }.oneOrMore().optional().consecutive()
        if greedy { b = b.greedy() }
        return b.next("C").where { $0.price > 12 }
    }

    func testGreedyQuantifier() throws {
        let r = try runNFA(abc(greedy: true), prices([10, 11, 12, 13, 14, 16]))
        XCTAssertEqual(r.matches, ["p11 p12 p13 p14 p16"])
    }

    func testReluctantQuantifier() throws {
        let r = try runNFA(abc(greedy: false), prices([10, 11, 12, 13, 14, 16]))
        XCTAssertEqual(r.matches, ["p11 p12 p13", "p14 p16"])
    }

    func testIterativeConditionSeesEarlierStages() throws {
        let p = Pattern<Ev>.begin("big").where { $0.price > 10 }
            .followedBy("bigger").where { e, ctx in e.price > (ctx.last("big")?.price ?? .max) }
        XCTAssertEqual(try runNFA(p, prices([20, 15, 25, 30])).matches, ["p20 p25", "p15 p25", "p25 p30"])
    }

    func testCountCondition() throws {
        // three failures, then a success with at least 3 failures before it
        let p = Pattern<Ev>.begin("fail", skip: .skipPastLastEvent).kind("fail").timesOrMore(3).consecutive()
            .next("ok").where { e, ctx in e.kind == "ok" && ctx.count("fail") >= 3 }
        XCTAssertEqual(try runNFA(p, evs("fail1 fail2 ok1 fail3 fail4 fail5 ok2")).matches, ["fail3 fail4 fail5 ok2"])
    }

    func testTimesRange() throws {
        let p = Pattern<Ev>.begin("a").kind("a").next("b").kind("b").times(2, 3).consecutive().next("c").kind("c")
        XCTAssertEqual(try runNFA(p, evs("a b1 c")).matches, [])
        XCTAssertEqual(try runNFA(p, evs("a b1 b2 c")).matches, ["a b1 b2 c"])
        XCTAssertEqual(try runNFA(p, evs("a b1 b2 b3 c")).matches, ["a b1 b2 b3 c"])
        XCTAssertEqual(try runNFA(p, evs("a b1 b2 b3 b4 c")).matches, [])
    }

    func testTimesExactRelaxed() throws {
        let p = Pattern<Ev>.begin("a").kind("a").followedBy("b").kind("b").times(2).followedBy("c").kind("c")
        XCTAssertEqual(try runNFA(p, evs("a b1 x b2 b3 c")).matches, ["a b1 b2 c"])
    }

    func testOptionalStage() throws {
        let p = Pattern<Ev>.begin("a").kind("a").next("b").kind("b").optional().next("c").kind("c")
        XCTAssertEqual(try runNFA(p, evs("a c")).matches, ["a c"])
        XCTAssertEqual(try runNFA(p, evs("a b c")).matches, ["a b c"])
        XCTAssertEqual(try runNFA(p, evs("a b b c")).matches, [])
    }

    func testTimesZeroIsOptional() throws {
        let p = Pattern<Ev>.begin("a").kind("a").next("b").kind("b").times(0, 2).consecutive().next("c").kind("c")
        XCTAssertEqual(try runNFA(p, evs("a c")).matches, ["a c"])
        XCTAssertEqual(try runNFA(p, evs("a b b c")).matches, ["a b b c"])
    }

    func testOrCondition() throws {
        let p = Pattern<Ev>.begin("x").kind("a").or { $0.kind == "b" }.next("y").kind("c")
        XCTAssertEqual(try runNFA(p, evs("a c b c d c")).matches, ["a c", "b c"])
    }

    func testSharedBufferStoresEachEventOnce() throws {
        // allowCombinations makes 15 partial matches over 4 A's: events are shared, not copied
        let p = Pattern<Ev>.begin("start").kind("c").followedByAny("middle").kind("a").oneOrMore().allowCombinations()
            .followedBy("end1").kind("b")
        let nfa = try NFA(p)
        let st = nfa.makeState()
        var m: [Match<Ev>] = []
        for e in evs("C D A1 A2 A3 D A4") { nfa.process(e, timestamp: e.ts, state: st, matches: &m) }
        XCTAssertGreaterThanOrEqual(st.partialMatchCount, 15)   // every combination of A's is alive
        XCTAssertEqual(st.buffer.liveEvents, 5)    // C A1 A2 A3 A4
    }
}
