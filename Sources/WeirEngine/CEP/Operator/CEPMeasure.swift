/// One output field of a match row, computed from the match (MATCH_RECOGNIZE's
/// MEASURES): over the events a stage took, or the match's start / end time.
/// Over a stage that took no event, first/last/min/max/avg are null, count and sum 0.
public enum CEPMeasure: Sendable, Equatable {
    case first(stage: String, slot: Int, as: String)
    case last(stage: String, slot: Int, as: String)
    case count(stage: String, as: String)
    case sum(stage: String, slot: Int, as: String)
    case min(stage: String, slot: Int, as: String)
    case max(stage: String, slot: Int, as: String)
    case avg(stage: String, slot: Int, as: String)
    /// Timestamp of the match's first event.
    case matchStart(as: String)
    /// Timestamp of the match's last event.
    case matchEnd(as: String)

    public var name: String {
        switch self {
        case .first(_, _, let n), .last(_, _, let n), .sum(_, _, let n), .min(_, _, let n), .max(_, _, let n),
             .avg(_, _, let n): return n
        case .count(_, let n), .matchStart(let n), .matchEnd(let n): return n
        }
    }

    var stage: String? {
        switch self {
        case .first(let s, _, _), .last(let s, _, _), .sum(let s, _, _), .min(let s, _, _), .max(let s, _, _),
             .avg(let s, _, _), .count(let s, _): return s
        case .matchStart, .matchEnd: return nil
        }
    }

    /// The measure's value over a match.
    func value(_ m: Match<CEPEvent>) -> FieldValue {
        switch self {
        case .matchStart: return m.entries.isEmpty ? .null : .int(m.startTimestamp)
        case .matchEnd: return m.entries.isEmpty ? .null : .int(m.endTimestamp)
        case .count(let s, _):
            var n: Int64 = 0
            for e in m.entries where e.stage == s { n += 1 }
            return .int(n)
        case .first(let s, let slot, _):
            return m.entries.first { $0.stage == s }.map { $0.event[slot] } ?? .null
        case .last(let s, let slot, _):
            return m.entries.last { $0.stage == s }.map { $0.event[slot] } ?? .null
        case .sum(let s, let slot, _), .avg(let s, let slot, _):
            var isInt = true, iSum: Int64 = 0, dSum = 0.0, n = 0
            for e in m.entries where e.stage == s {
                switch e.event[slot] {
                case .int(let i):
                    let (r, o) = iSum.addingReportingOverflow(i)
                    if o { isInt = false } else { iSum = r }
                    dSum += Double(i); n += 1
                case .double(let d): isInt = false; dSum += d; n += 1
                default: break
                }
            }
            if case .avg = self { return n == 0 ? .null : .double(dSum / Double(n)) }
            return isInt ? .int(iSum) : .double(dSum)
        case .min(let s, let slot, _), .max(let s, let slot, _):
            var best: FieldValue = .null
            var bestN = 0.0
            let wantMin: Bool = { if case .min = self { return true } else { return false } }()
            for e in m.entries where e.stage == s {
                guard let x = e.event.number(slot) else { continue }
                if case .null = best { best = e.event[slot]; bestN = x; continue }
                if wantMin ? x < bestN : x > bestN { best = e.event[slot]; bestN = x }
            }
            return best
        }
    }
}
