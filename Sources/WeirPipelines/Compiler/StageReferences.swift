import WeirEngine
import WeirFormats

/// A function over the events a stage took: `count(fail)`, `first(fail.ip)`,
/// `sum(fail.amount)`… In a condition it sees the events taken before the
/// tested one (Flink's iterative condition); in a measure, the whole match.
struct StageReference {
    enum Function: String, CaseIterable {
        case first, last, count, sum, min, max, avg
    }

    var function: Function
    var stage: String
    /// The field read from each event (`fail.ip` → `ip`); nil for count.
    var field: FieldPath?
    /// Where the call starts in the expression (byte offset), for diagnostics.
    var offset: Int

    static let names = Function.allCases.map(\.rawValue)

    /// The stage reference a call is, nil when it is another call. Throws for a
    /// call of one of these functions that does not name a stage of `stages`.
    static func parse(_ e: ExpressionSyntax, stages: [String]) throws(ExpressionError) -> StageReference? {
        guard case .call(let name, let args) = e.kind, let function = Function(rawValue: name.lowercased()) else { return nil }
        let list = stages.joined(separator: ", ")
        let example = function == .count ? "count(\(stages.first ?? "stage"))" : "\(function.rawValue)(\(stages.first ?? "stage").amount)"
        guard args.count == 1, let path = args[0].fieldPath, let head = path.components.first else {
            throw ExpressionError(offset: e.start, message: "\(function.rawValue) takes one stage\(function == .count ? "" : ".field"), e.g. \(example)")
        }
        guard stages.contains(head) else {
            throw ExpressionError(offset: args[0].start,
                                  message: "'\(head)' is not a stage of this pattern\(ClosestMatch.hint(for: head, among: stages)) (stages: \(list))")
        }
        let rest = Array(path.components.dropFirst())
        if function == .count {
            guard rest.isEmpty else { throw ExpressionError(offset: args[0].start, message: "count takes a stage name, e.g. count(\(head))") }
            return StageReference(function: .count, stage: head, field: nil, offset: e.start)
        }
        guard !rest.isEmpty else {
            throw ExpressionError(offset: args[0].start, message: "\(function.rawValue) reads a field of the stage's events: \(function.rawValue)(\(head).amount)")
        }
        return StageReference(function: function, stage: head, field: FieldPath(rest), offset: e.start)
    }

    /// The expression with every stage reference replaced by a name that cannot
    /// be written in a file (`#stage0`, …), and the references in that order.
    static func replace(in e: ExpressionSyntax, stages: [String],
                        found: inout [StageReference]) throws(ExpressionError) -> ExpressionSyntax {
        if let ref = try parse(e, stages: stages) {
            found.append(ref)
            return ExpressionSyntax(kind: .field(placeholder(found.count - 1)), start: e.start, end: e.end)
        }
        var out = e
        switch e.kind {
        case .literal, .field: return e
        case .negate(let x): out.kind = .negate(try replace(in: x, stages: stages, found: &found))
        case .not(let x): out.kind = .not(try replace(in: x, stages: stages, found: &found))
        case .isNull(let x, let n): out.kind = .isNull(try replace(in: x, stages: stages, found: &found), negated: n)
        case .binary(let op, let l, let r, let at):
            out.kind = .binary(op, try replace(in: l, stages: stages, found: &found), try replace(in: r, stages: stages, found: &found),
                               operatorOffset: at)
        case .and(let l, let r):
            out.kind = .and(try replace(in: l, stages: stages, found: &found), try replace(in: r, stages: stages, found: &found))
        case .or(let l, let r):
            out.kind = .or(try replace(in: l, stages: stages, found: &found), try replace(in: r, stages: stages, found: &found))
        case .call(let name, let args):
            if ["match_start", "match_end"].contains(name.lowercased()) {
                throw ExpressionError(offset: e.start, message: "\(name)() is a measure of a whole match; a condition cannot use it")
            }
            var replaced: [ExpressionSyntax] = []
            for a in args { replaced.append(try replace(in: a, stages: stages, found: &found)) }
            out.kind = .call(name: name, arguments: replaced)
        }
        return out
    }

    static func placeholder(_ i: Int) -> FieldPath { FieldPath(["#stage\(i)"]) }

    /// What the reference can hold (count is a number, never null; the others depend on the events).
    var type: ValueType {
        switch function {
        case .count: return .int
        case .avg: return [.double, .null]
        case .sum: return [.int, .double]
        default: return .any
        }
    }
}

/// A stage reference with the slot of its field in the events.
struct BoundStageReference {
    var function: StageReference.Function
    var stage: String
    var fieldSlot: Int
    /// The condition row's slot that receives the value.
    var slot: Int

    /// The value over `events` (a stage's events, in match order), as CEPMeasure computes it over a match.
    func value(_ events: [CEPEvent]) -> FieldValue {
        switch function {
        case .count: return .int(Int64(events.count))
        case .first: return events.first.map { $0[fieldSlot] } ?? .null
        case .last: return events.last.map { $0[fieldSlot] } ?? .null
        case .sum, .avg:
            var isInt = true, iSum: Int64 = 0, dSum = 0.0, n = 0
            for e in events {
                switch e[fieldSlot] {
                case .int(let i):
                    let (r, o) = iSum.addingReportingOverflow(i)
                    if o { isInt = false } else { iSum = r }
                    dSum += Double(i); n += 1
                case .double(let d): isInt = false; dSum += d; n += 1
                default: break
                }
            }
            if function == .avg { return n == 0 ? .null : .double(dSum / Double(n)) }
            return isInt ? .int(iSum) : .double(dSum)
        case .min, .max:
            var best: FieldValue = .null
            var bestN = 0.0
            for e in events {
                guard let x = e.number(fieldSlot) else { continue }
                if case .null = best { best = e[fieldSlot]; bestN = x; continue }
                if function == .min ? x < bestN : x > bestN { best = e[fieldSlot]; bestN = x }
            }
            return best
        }
    }
}
