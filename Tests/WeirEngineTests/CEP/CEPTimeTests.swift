import XCTest
@testable import WeirEngine

/// `within`, timeouts and absence (Flink's NFAITCase vectors).
final class CEPTimeTests: XCTestCase {
    private func named(_ pairs: [(String, Int64)]) -> [Ev] { pairs.map { Ev(id: $0.0, ts: $0.1) } }

    /// `start followedByAny middle followedByAny end within(10)`; start@1 misses
    /// end@11 because 11 − 1 = 10 is not < 10.
    func testWithinBoundaryAndTimeouts() throws {
        let p = Pattern<Ev>.begin("start").kind("start").followedByAny("middle").kind("middle")
            .followedByAny("end").kind("end").within(ms: 10)
        let events = named([("start", 1), ("start", 2), ("middle", 3), ("foobar", 4), ("end", 11), ("end", 13)])
        let r = try runNFA(p, events)
        XCTAssertEqual(r.matches, ["start middle end"])
        XCTAssertEqual(Set(r.timedOut), ["start middle@11", "start@11", "start middle@12", "start@12"])
        XCTAssertEqual(r.timedOut.count, 4)
    }

    func testMatchStartAndEndOfTheMatchWithinTheWindow() throws {
        let nfa = try NFA(Pattern<Ev>.begin("start").kind("start").followedByAny("middle").kind("middle")
            .followedByAny("end").kind("end").within(ms: 10))
        let st = nfa.makeState()
        var m: [Match<Ev>] = [], t: [TimedOutMatch<Ev>] = []
        for e in named([("start", 1), ("start", 2), ("middle", 3), ("foobar", 4), ("end", 11)]) {
            nfa.advanceTime(e.ts, state: st, matches: &m, timedOut: &t)
            nfa.process(e, timestamp: e.ts, state: st, matches: &m)
        }
        XCTAssertEqual(m.count, 1)
        XCTAssertEqual(m.first?.startTimestamp, 2)
        XCTAssertEqual(m.first?.endTimestamp, 11)
        XCTAssertEqual(m.first?.events("middle").map(\.ts), [3])
    }

    /// `start notFollowedBy middle within(5)`: start@1 is killed by middle@4;
    /// start@5 and start@11 complete when their window runs out.
    func testNotFollowedByAtTheEndCompletesOnTimeout() throws {
        let p = Pattern<Ev>.begin("start").kind("start").notFollowedBy("middle").kind("middle").within(ms: 5)
        let events = named([("start", 1), ("middle", 4), ("start", 5), ("start", 11), ("middle", 18)])
        let r = try runNFA(p, events)
        XCTAssertEqual(r.matches, ["start", "start"])
        XCTAssertEqual(r.timedOut, [])
        // which starts: timestamps
        let nfa = try NFA(p)
        let st = nfa.makeState()
        var m: [Match<Ev>] = [], t: [TimedOutMatch<Ev>] = []
        for e in events {
            nfa.advanceTime(e.ts, state: st, matches: &m, timedOut: &t)
            nfa.process(e, timestamp: e.ts, state: st, matches: &m)
        }
        XCTAssertEqual(m.map(\.startTimestamp), [5, 11])
    }

    func testNotFollowedByAtTheEndNeedsTheWholeWindow() throws {
        let p = Pattern<Ev>.begin("order").kind("order").notFollowedBy("pay").kind("pay").within(ms: 15)
        // paid at 14 (< 15 after the order): no alert
        XCTAssertEqual(try runNFA(p, named([("order", 0), ("pay", 14)]), endTime: 100).matches, [])
        // not paid before 15: the alert comes when time reaches 15
        XCTAssertEqual(try runNFA(p, named([("order", 0), ("pay", 15)]), endTime: 100).matches, ["order"])
        XCTAssertEqual(try runNFA(p, named([("order", 0)]), endTime: 14).matches, [])
        XCTAssertEqual(try runNFA(p, named([("order", 0)]), endTime: 15).matches, ["order"])
    }

    func testNotFollowedByInTheMiddle() throws {
        let p = Pattern<Ev>.begin("a").kind("a").notFollowedBy("b").kind("b").followedBy("c").kind("c")
        XCTAssertEqual(try runNFA(p, evs("a1 b c")).matches, [])
        XCTAssertEqual(try runNFA(p, evs("a1 x c")).matches, ["a1 c"])
        XCTAssertEqual(try runNFA(p, evs("a1 c b")).matches, ["a1 c"])
    }

    func testNotNext() throws {
        let p = Pattern<Ev>.begin("a").kind("a").notNext("b").kind("b").followedBy("c").kind("c")
        XCTAssertEqual(try runNFA(p, evs("a1 b c")).matches, [])
        XCTAssertEqual(try runNFA(p, evs("a1 x b c")).matches, ["a1 c"])
    }

    func testNotNextAtTheEndEmitsWithTheFollowingEvent() throws {
        let p = Pattern<Ev>.begin("a").kind("a").notNext("b").kind("b")
        XCTAssertEqual(try runNFA(p, evs("a1 b")).matches, [])
        XCTAssertEqual(try runNFA(p, evs("a1")).matches, [])   // no following event yet
        XCTAssertEqual(try runNFA(p, evs("a1 x")).matches, ["a1"])
    }

    func testTimedOutPartialMatchesAreReleased() throws {
        let p = Pattern<Ev>.begin("a").kind("a").followedBy("b").kind("b").oneOrMore().followedBy("c").kind("c")
            .within(ms: 5)
        let nfa = try NFA(p)
        let st = nfa.makeState()
        var m: [Match<Ev>] = [], t: [TimedOutMatch<Ev>] = []
        for e in evs("a1 b1 b2 a2 b3") {
            nfa.advanceTime(e.ts, state: st, matches: &m, timedOut: &t)
            nfa.process(e, timestamp: e.ts, state: st, matches: &m)
        }
        XCTAssertGreaterThan(st.partialMatchCount, 0)
        XCTAssertEqual(st.earliestStart, 1)
        nfa.advanceTime(100, state: st, matches: &m, timedOut: &t)
        XCTAssertEqual(st.partialMatchCount, 0)
        XCTAssertTrue(st.buffer.isEmpty, "every event and node released")
        XCTAssertTrue(st.isIdle)
        // {a1} and {a2} alone are gone: followedBy took the first b after each
        XCTAssertEqual(Set(t.map { render($0.match) + "@\($0.timeoutTimestamp)" }),
                       ["a1 b1@6", "a1 b1 b2@6", "a1 b1 b2 b3@6", "a2 b3@9"])
    }
}
