import XCTest
@testable import WeirEngine

/// Flink's documented CEP examples (docs/libs/cep.md) with the exact output
/// the docs give. Where the docs leave a contiguity unsaid, the test names the
/// one that gives the documented result.
final class CEPDocExampleTests: XCTestCase {

    // MARK: contiguity between stages: `a b` over `a c b1 b2`

    func testStrictContiguityBetweenStages() throws {
        let p = Pattern<Ev>.begin("a").kind("a").next("b").kind("b")
        XCTAssertEqual(try runNFA(p, evs("a c b1 b2")).matches, [])
    }

    func testRelaxedContiguityBetweenStages() throws {
        let p = Pattern<Ev>.begin("a").kind("a").followedBy("b").kind("b")
        XCTAssertEqual(try runNFA(p, evs("a c b1 b2")).matches, ["a b1"])
    }

    func testNonDeterministicRelaxedContiguityBetweenStages() throws {
        let p = Pattern<Ev>.begin("a").kind("a").followedByAny("b").kind("b")
        XCTAssertEqual(try runNFA(p, evs("a c b1 b2")).matches, ["a b1", "a b2"])
    }

    // MARK: contiguity within a looping stage: `a b+ c` over `a b1 d1 b2 d2 b3 c`
    // ("a" followed by any sequence of b's, then c). The documented strict
    // result needs `next` before c: with `followedBy`, b1's and b2's branches
    // would wait for c past the d's.

    func testConsecutiveLoop() throws {
        let p = Pattern<Ev>.begin("a").kind("a").followedByAny("b").kind("b").oneOrMore().consecutive()
            .next("c").kind("c")
        XCTAssertEqual(try runNFA(p, evs("a b1 d1 b2 d2 b3 c")).matches, ["a b3 c"])
    }

    func testRelaxedLoop() throws {
        let p = Pattern<Ev>.begin("a").kind("a").followedByAny("b").kind("b").oneOrMore()
            .followedBy("c").kind("c")
        XCTAssertEqual(Set(try runNFA(p, evs("a b1 d1 b2 d2 b3 c")).matches),
                       ["a b1 c", "a b1 b2 c", "a b1 b2 b3 c", "a b2 c", "a b2 b3 c", "a b3 c"])
        XCTAssertEqual(try runNFA(p, evs("a b1 d1 b2 d2 b3 c")).matches.count, 6)
    }

    func testCombinationsLoop() throws {
        let p = Pattern<Ev>.begin("a").kind("a").followedByAny("b").kind("b").oneOrMore().allowCombinations()
            .followedBy("c").kind("c")
        let m = try runNFA(p, evs("a b1 d1 b2 d2 b3 c")).matches
        XCTAssertEqual(Set(m), ["a b1 c", "a b1 b2 c", "a b1 b3 c", "a b1 b2 b3 c", "a b2 c", "a b2 b3 c", "a b3 c"])
        XCTAssertEqual(m.count, 7)
    }

    // MARK: consecutive / allowCombinations: `C D A1 A2 A3 D A4 B`

    private func middleLoop(_ f: (Pattern<Ev>) -> Pattern<Ev>) -> Pattern<Ev> {
        f(Pattern<Ev>.begin("start").kind("c").followedBy("middle").kind("a").oneOrMore())
            .followedBy("end1").kind("b")
    }

    func testConsecutiveDocExample() throws {
        let m = try runNFA(middleLoop { $0.consecutive() }, evs("C D A1 A2 A3 D A4 B")).matches
        XCTAssertSameMatches(m, ["C A1 B", "C A1 A2 B", "C A1 A2 A3 B"])
    }

    func testRelaxedLoopDocExample() throws {
        let m = try runNFA(middleLoop { $0 }, evs("C D A1 A2 A3 D A4 B")).matches
        XCTAssertSameMatches(m, ["C A1 B", "C A1 A2 B", "C A1 A2 A3 B", "C A1 A2 A3 A4 B"])
    }

    /// The docs of Flink 1.x list these 8 (A1 cannot be skipped: `middle` is
    /// attached with `followedBy`, whose first event is the first A). The
    /// current docs list 15, which is what `followedByAny("middle")` gives (next test).
    func testAllowCombinationsDocExample() throws {
        let m = try runNFA(middleLoop { $0.allowCombinations() }, evs("C D A1 A2 A3 D A4 B")).matches
        XCTAssertSameMatches(m, ["C A1 B", "C A1 A2 B", "C A1 A3 B", "C A1 A4 B", "C A1 A2 A3 B", "C A1 A2 A4 B",
                                 "C A1 A3 A4 B", "C A1 A2 A3 A4 B"])
    }

    func testAllowCombinationsAfterFollowedByAny() throws {
        let p = Pattern<Ev>.begin("start").kind("c").followedByAny("middle").kind("a").oneOrMore().allowCombinations()
            .followedBy("end1").kind("b")
        let m = try runNFA(p, evs("C D A1 A2 A3 D A4 B")).matches
        XCTAssertSameMatches(m, ["C A1 B", "C A1 A2 B", "C A1 A3 B", "C A1 A4 B", "C A1 A2 A3 B", "C A1 A2 A4 B",
                                 "C A1 A3 A4 B", "C A1 A2 A3 A4 B", "C A2 B", "C A2 A3 B", "C A2 A4 B",
                                 "C A2 A3 A4 B", "C A3 B", "C A3 A4 B", "C A4 B"])
    }

    // MARK: until: `(a+ until b)` over `a1 c a2 b a3`

    func testUntilDocExample() throws {
        let p = Pattern<Ev>.begin("a").kind("a").oneOrMore().until { $0.kind == "b" }
        // {a1 a2 a3} and {a2 a3} are not produced: b ends the loops
        XCTAssertEqual(try runNFA(p, evs("a1 c a2 b a3")).matches, ["a1", "a1 a2", "a2", "a3"])
    }

    // MARK: after-match skip strategies: `b+ c` over `b1 b2 b3 c`
    // (`b+` consecutive, then `next`: as MATCH_RECOGNIZE's `B+ C` compiles; with
    // relaxed inner contiguity the b-loops outlive c, see testHeldMatches...)

    private func bPlusC(_ skip: AfterMatchSkipStrategy) -> Pattern<Ev> {
        Pattern<Ev>.begin("b", skip: skip).kind("b").oneOrMore().consecutive().next("c").kind("c")
    }

    func testNoSkip() throws {
        XCTAssertEqual(try runNFA(bPlusC(.noSkip), evs("b1 b2 b3 c")).matches, ["b1 b2 b3 c", "b2 b3 c", "b3 c"])
    }

    func testSkipToNext() throws {
        XCTAssertEqual(try runNFA(bPlusC(.skipToNext), evs("b1 b2 b3 c")).matches, ["b1 b2 b3 c", "b2 b3 c", "b3 c"])
    }

    func testSkipPastLastEvent() throws {
        XCTAssertEqual(try runNFA(bPlusC(.skipPastLastEvent), evs("b1 b2 b3 c")).matches, ["b1 b2 b3 c"])
    }

    func testSkipToFirst() throws {
        XCTAssertEqual(try runNFA(bPlusC(.skipToFirst("b")), evs("b1 b2 b3 c")).matches, ["b1 b2 b3 c", "b2 b3 c", "b3 c"])
    }

    func testSkipToLast() throws {
        XCTAssertEqual(try runNFA(bPlusC(.skipToLast("b")), evs("b1 b2 b3 c")).matches, ["b1 b2 b3 c", "b3 c"])
    }

    /// With a skip strategy a completed match waits while a partial match that
    /// started earlier is alive: here the relaxed b-loops skip c and stay, so
    /// `b2 b3 c` and `b3 c` come out only when b1's loop times out.
    func testHeldMatchesWaitForEarlierPartialMatches() throws {
        let p = Pattern<Ev>.begin("b", skip: .skipToFirst("b")).kind("b").oneOrMore().next("c").kind("c").within(ms: 10)
        XCTAssertEqual(try runNFA(p, evs("b1 b2 b3 c")).matches, ["b1 b2 b3 c"])
        // at 11 only b1's loop (started at 1) has timed out: b2 b3 c is free, b3 c still waits for b2's
        XCTAssertEqual(try runNFA(p, evs("b1 b2 b3 c"), endTime: 11).matches, ["b1 b2 b3 c", "b2 b3 c"])
        let r = try runNFA(p, evs("b1 b2 b3 c"), endTime: 13)
        XCTAssertEqual(r.matches, ["b1 b2 b3 c", "b2 b3 c", "b3 c"])
        XCTAssertEqual(Set(r.timedOut), ["b1 b2 b3@11", "b2 b3@12", "b3@13"])
    }

    // `(a|b|c) (b|c) c+.greedy d` over `a b c1 c2 c3 d`

    private func greedyC(_ skip: AfterMatchSkipStrategy) -> Pattern<Ev> {
        Pattern<Ev>.begin("x", skip: skip).kind("a", "b", "c").next("y").kind("b", "c")
            .next("c").kind("c").oneOrMore().greedy().next("d").kind("d")
    }

    func testGreedyNoSkip() throws {
        XCTAssertEqual(try runNFA(greedyC(.noSkip), evs("a b c1 c2 c3 d")).matches,
                       ["a b c1 c2 c3 d", "b c1 c2 c3 d", "c1 c2 c3 d"])
    }

    func testGreedySkipToFirst() throws {
        XCTAssertEqual(try runNFA(greedyC(.skipToFirst("c")), evs("a b c1 c2 c3 d")).matches,
                       ["a b c1 c2 c3 d", "c1 c2 c3 d"])
    }

    // `a b+` over `a b1 b2 b3`: a match is emitted as soon as it is complete

    func testEagerEmissionNoSkip() throws {
        let p = Pattern<Ev>.begin("a").kind("a").followedBy("b").kind("b").oneOrMore()
        XCTAssertEqual(try runNFA(p, evs("a b1 b2 b3")).matches, ["a b1", "a b1 b2", "a b1 b2 b3"])
    }

    func testEagerEmissionSkipToNext() throws {
        let p = Pattern<Ev>.begin("a", skip: .skipToNext).kind("a").followedBy("b").kind("b").oneOrMore()
        XCTAssertEqual(try runNFA(p, evs("a b1 b2 b3")).matches, ["a b1"])
    }
}
