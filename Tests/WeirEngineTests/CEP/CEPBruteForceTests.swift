import XCTest
@testable import WeirEngine

/// Random patterns over random short sequences, compared with a matcher
/// written independently of the automaton: it enumerates every assignment of
/// events to stages and keeps those the contiguity rules allow. It covers
/// what MATCH_RECOGNIZE cannot express (relaxed and non-deterministic
/// contiguity between and within stages), with NO_SKIP and no within, so
/// every valid assignment is one match:
///
/// - every taken event satisfies its stage's condition; stage counts within bounds;
/// - between two events of one stage (inner contiguity): strict = adjacent;
///   relaxed = no skipped event satisfies the stage; non-deterministic = anything;
/// - between the last event before a stage and its first event (the stage's
///   contiguity, optional stages in between skipped): the same three rules,
///   judged by that stage's condition;
/// - the first event may be anywhere.
final class CEPBruteForceTests: XCTestCase {
    struct Stage {
        var kinds: Set<Character>
        var contiguity: Contiguity
        var min: Int
        var max: Int   // Int.max: looping
        var optional: Bool
        var inner: InnerContiguity
    }

    struct RNG { var s: UInt64; mutating func next(_ n: Int) -> Int { s = s &* 6364136223846793005 &+ 1442695040888963407; return Int((s >> 33) % UInt64(n)) } }

    private func randomStages(_ r: inout RNG) -> [Stage] {
        let alphabet: [Character] = ["a", "b", "c"]
        return (0..<(1 + r.next(3))).map { i in
            var kinds: Set<Character> = [alphabet[r.next(3)]]
            if r.next(3) == 0 { kinds.insert(alphabet[r.next(3)]) }
            let contiguity: Contiguity = i == 0 ? .relaxed : [.strict, .relaxed, .nonDeterministicRelaxed][r.next(3)]
            let inner: InnerContiguity = [.strict, .relaxed, .nonDeterministicRelaxed][r.next(3)]
            switch r.next(6) {
            case 0: return Stage(kinds: kinds, contiguity: contiguity, min: 1, max: 1, optional: false, inner: .relaxed)
            case 1: return Stage(kinds: kinds, contiguity: contiguity, min: 1, max: 1, optional: true, inner: .relaxed)
            case 2: let lo = 1 + r.next(2); return Stage(kinds: kinds, contiguity: contiguity, min: lo, max: lo + r.next(2), optional: r.next(3) == 0, inner: inner)
            case 3: return Stage(kinds: kinds, contiguity: contiguity, min: 1, max: .max, optional: false, inner: inner)
            case 4: return Stage(kinds: kinds, contiguity: contiguity, min: 2, max: .max, optional: false, inner: inner)
            default: return Stage(kinds: kinds, contiguity: contiguity, min: 1, max: .max, optional: true, inner: inner)
            }
        }
    }

    private func pattern(_ stages: [Stage]) -> Pattern<Ev> {
        var p: Pattern<Ev>! = nil
        for (i, s) in stages.enumerated() {
            let name = "s\(i)"
            p = i == 0 ? Pattern<Ev>.begin(name) : p.then(name, s.contiguity)
            let kinds = s.kinds
            p = p.where { kinds.contains(Character($0.kind)) }
            if s.max == .max {
                p = s.min == 1 ? p.oneOrMore() : p.timesOrMore(s.min)
            } else if s.max > 1 || s.min > 1 {
                p = p.times(s.min, s.max)
            }
            if s.optional { p = p.optional() }
            if s.max > 1 {
                switch s.inner {
                case .strict: p = p.consecutive()
                case .nonDeterministicRelaxed: p = p.allowCombinations()
                case .relaxed: break
                }
            }
        }
        return p
    }

    /// Every valid match, as the ids of its events.
    private func bruteForce(_ stages: [Stage], _ events: [Ev]) -> [String] {
        var results: [String] = []
        func matches(_ e: Ev, _ s: Int) -> Bool { stages[s].kinds.contains(Character(e.kind)) }
        func gapOK(_ from: Int, _ to: Int, _ rule: InnerContiguity, _ s: Int) -> Bool {
            switch rule {
            case .strict: return to == from + 1
            case .relaxed: return !(from + 1 ..< to).contains { matches(events[$0], s) }
            case .nonDeterministicRelaxed: return true
            }
        }
        func outer(_ c: Contiguity) -> InnerContiguity {
            switch c { case .strict: return .strict; case .nonDeterministicRelaxed: return .nonDeterministicRelaxed; default: return .relaxed }
        }
        // taken: (event index, stage); stage: current stage; count: events taken by it
        func extend(_ taken: [(Int, Int)], stage: Int, count: Int) {
            let st = stages[stage]
            // finish the stage here (count within bounds, or skipped when optional)
            let canLeave = count >= st.min || (count == 0 && st.optional)
            if canLeave {
                if stage == stages.count - 1 {
                    if !taken.isEmpty { results.append(taken.map { events[$0.0].id }.joined(separator: " ")) }
                } else {
                    extend(taken, stage: stage + 1, count: 0)
                }
            }
            guard count < st.max else { return }
            let last = taken.last?.0 ?? -1
            for i in (last + 1)..<events.count where matches(events[i], stage) {
                if let prev = taken.last?.0 {
                    let rule = count == 0 ? outer(st.contiguity) : st.inner
                    guard gapOK(prev, i, rule, stage) else { continue }
                }
                extend(taken + [(i, stage)], stage: stage, count: count + 1)
            }
        }
        extend([], stage: 0, count: 0)
        return results
    }

    func testRandomPatternsAgainstBruteForce() throws {
        var r = RNG(s: 20261207)
        var compared = 0, nonEmpty = 0
        for _ in 0..<4_000 {
            let stages = randomStages(&r)
            let n = 1 + r.next(8)
            let events = (0..<n).map { Ev(id: "\(["a", "b", "c", "d"][r.next(4)])\($0)", ts: Int64($0 + 1)) }
            let expected = bruteForce(stages, events)
            let actual = try runNFA(pattern(stages), events).matches
            compared += 1
            if !expected.isEmpty { nonEmpty += 1 }
            if actual.sorted() != expected.sorted() {
                let desc = stages.map { "\($0.kinds.sorted())\($0.contiguity) \($0.min)...\($0.max == .max ? "∞" : String($0.max))\($0.optional ? "?" : "") inner=\($0.inner)" }
                XCTFail("pattern \(desc) over \(events.map(\.id)):\n  NFA    \(actual.sorted())\n  brute  \(expected.sorted())")
                return
            }
        }
        XCTAssertGreaterThan(nonEmpty, compared / 3)
    }
}
