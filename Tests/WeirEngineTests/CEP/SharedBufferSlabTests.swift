import XCTest
@testable import WeirEngine

/// The shared buffer keeps events, nodes and edges in slabs with free lists:
/// a key that keeps matching reuses its slots instead of growing.
final class SharedBufferSlabTests: XCTestCase {
    func testSteadyStateReusesSlots() throws {
        let p = Pattern<Ev>.begin("a", skip: .skipPastLastEvent).kind("a").next("b").kind("b").next("c").kind("c").within(ms: 50)
        let nfa = try NFA(p)
        let st = nfa.makeState()
        var m: [Match<Ev>] = [], t: [TimedOutMatch<Ev>] = []
        var ts: Int64 = 0, found = 0
        func feed(_ round: Int) {
            for k in ["a", "b", "c", "a", "x", "a", "b", "y"] {
                ts += 1
                let e = Ev(id: "\(k)\(round)", ts: ts)
                nfa.advanceTime(ts, state: st, matches: &m, timedOut: &t)
                nfa.process(e, timestamp: ts, state: st, matches: &m)
                found += m.count
                nfa.recycle(&m)
                nfa.recycle(&t)
            }
        }
        for r in 0..<10 { feed(r) }
        let sizes = (st.buffer.events.count, st.buffer.nodes.count)
        for r in 10..<1000 { feed(r) }
        XCTAssertEqual(found, 1000)
        XCTAssertEqual(st.buffer.events.count, sizes.0, "event slots reused")
        XCTAssertEqual(st.buffer.nodes.count, sizes.1, "node slots reused")
        nfa.advanceTime(ts + 100, state: st, matches: &m, timedOut: &t)
        XCTAssertTrue(st.isIdle)
    }

    func testFreedEventsAreHandedOverWhenAsked() throws {
        let p = Pattern<Ev>.begin("a").kind("a").next("b").kind("b")
        let nfa = try NFA(p)
        let st = nfa.makeState()
        st.buffer.keepsFreedEvents = true
        var m: [Match<Ev>] = []
        for e in evs("a b x a") { nfa.process(e, timestamp: e.ts, state: st, matches: &m) }
        // a and b (matched), x (taken by nothing) are let go of; the last a is still held
        XCTAssertEqual(st.buffer.freedEvents.map(\.id).sorted(), ["a", "b", "x"])
        XCTAssertEqual(st.buffer.liveEvents, 1)
    }

    func testExtractedPathsAfterReuse() throws {
        // matches come out right when their nodes and edges sit in reused slots,
        // and when their versions grow past the inline digits (one digit per event taken)
        let p = Pattern<Ev>.begin("a", skip: .skipPastLastEvent).kind("a").next("b").kind("b").oneOrMore().consecutive()
            .next("c").kind("c")
        XCTAssertEqual(try runNFA(p, evs("a1 b1 b2 c1 a2 x b3 c2 a3 b4 b5 b6 b7 b8 b9 b10 c3 a4 b11 c4")).matches,
                       ["a1 b1 b2 c1", "a3 b4 b5 b6 b7 b8 b9 b10 c3", "a4 b11 c4"])
    }
}
