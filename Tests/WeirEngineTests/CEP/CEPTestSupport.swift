import XCTest
@testable import WeirEngine

/// A test event: `id` like "b1" (its kind is the letters, "b"), a timestamp and a price.
struct Ev: CustomStringConvertible {
    var id: String
    var ts: Int64
    var price: Int = 0
    var kind: String { String(id.prefix { $0.isLetter }).lowercased() }
    var description: String { id }
}

/// Events named in order, timestamps 1, 2, 3, ...
func evs(_ ids: String) -> [Ev] {
    ids.split(separator: " ").enumerated().map { Ev(id: String($1), ts: Int64($0 + 1)) }
}

extension Pattern where Event == Ev {
    /// ANDs "the event's kind is one of `kinds`".
    func kind(_ kinds: String...) -> Pattern { `where` { kinds.contains($0.kind) } }
}

struct CEPRun {
    var matches: [String] = []
    var timedOut: [String] = []
}

/// Feeds the events as Flink's NFA test harness does (advance time to the
/// event's timestamp, then process it); `endTime` advances time once more at the end.
func runNFA(_ pattern: Pattern<Ev>, _ events: [Ev], endTime: Int64? = nil,
            file: StaticString = #filePath, line: UInt = #line) throws -> CEPRun {
    let nfa = try NFA(pattern)
    let state = nfa.makeState()
    var run = CEPRun()
    var matches: [Match<Ev>] = []
    var timedOut: [TimedOutMatch<Ev>] = []
    func collect() {
        run.matches += matches.map(render)
        run.timedOut += timedOut.map { render($0.match) + "@\($0.timeoutTimestamp)" }
        matches.removeAll()
        timedOut.removeAll()
    }
    for e in events {
        nfa.advanceTime(e.ts, state: state, matches: &matches, timedOut: &timedOut)
        nfa.process(e, timestamp: e.ts, state: state, matches: &matches)
        collect()
    }
    if let endTime {
        nfa.advanceTime(endTime, state: state, matches: &matches, timedOut: &timedOut)
        collect()
    }
    return run
}

func render(_ m: Match<Ev>) -> String { m.entries.map(\.event.id).joined(separator: " ") }

/// Same matches as a multiset: Flink emits the matches one event completes in
/// an unspecified order (it iterates a priority queue); Weir's order is by
/// start event, ties in the order the automaton found them.
func XCTAssertSameMatches(_ actual: [String], _ expected: [String], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.sorted(), expected.sorted(), file: file, line: line)
}
