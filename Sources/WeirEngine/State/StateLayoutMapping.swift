/// How keyed state written with one layout is read into an operator with
/// another (a pipeline edited between a savepoint or checkpoint and the
/// restore; docs/state-format.md, "Compatibility"):
///
/// - key fields (what they compute, in order), the window (type, size, slide,
///   offset, gap) and the time domain must not change: the state's keys and
///   window bounds are made of them;
/// - aggregates are matched by output name; one with the same name must have
///   the same function (and collect size, custom type) and input;
/// - an aggregate only in the pipeline starts with its empty accumulator in
///   every restored (key, window); one only in the state is dropped.
struct StateLayoutMapping {
    /// Per aggregate of the state, in its record order.
    struct Source {
        /// Index in the operator's aggregates; nil: dropped.
        var target: Int?
        /// First accumulator word in the state's record, and how many.
        var offset: Int
        var words: Int
        var side: StateLayout.SideSection
    }

    var sources: [Source]
    /// Accumulator words per record in the state.
    var stateWidth: Int
    /// Names of the aggregates that start empty, and of those dropped.
    var added: [String]
    var dropped: [String]

    /// True when records are read as they are (same aggregates in the same order).
    var isIdentity: Bool { added.isEmpty && dropped.isEmpty && sources.enumerated().allSatisfy { $0.element.target == $0.offset } }

    /// What the log says about a restore that changed aggregates.
    var summary: String {
        var parts: [String] = []
        if !added.isEmpty {
            parts.append("new aggregate\(added.count == 1 ? "" : "s") \(added.map { "'\($0)'" }.joined(separator: ", ")) start\(added.count == 1 ? "s" : "") empty in every restored key and window")
        }
        if !dropped.isEmpty {
            parts.append("the state of removed aggregate\(dropped.count == 1 ? "" : "s") \(dropped.map { "'\($0)'" }.joined(separator: ", ")) is dropped")
        }
        return parts.joined(separator: "; ")
    }

    /// Maps state of layout `saved` onto layout `current`, or refuses with
    /// every incompatible change, each naming the field and its old and new value.
    init(from saved: StateLayout, to current: StateLayout) throws(StateFormatError) {
        var problems: [String] = []
        if saved.kind != current.kind {
            problems.append("the state was written by \(saved.kind.description), the pipeline now has \(current.kind.description)")
        }
        let oldKeys = saved.keys.map(\.expression), newKeys = current.keys.map(\.expression)
        if oldKeys.count != newKeys.count {
            problems.append("key fields were [\(Self.describe(saved.keys))], are now [\(Self.describe(current.keys))]")
        } else {
            for i in oldKeys.indices where oldKeys[i] != newKeys[i] {
                problems.append("key field '\(current.keys[i].name)' was \(oldKeys[i]), is now \(newKeys[i])")
            }
        }
        problems += Self.windowChanges(saved.window, current.window)
        if saved.timeDomain != current.timeDomain, let old = saved.timeDomain, let new = current.timeDomain {
            problems.append("time domain was \(Self.describe(old)), is now \(Self.describe(new))")
        }
        var byName: [String: Int] = [:]
        for (i, a) in current.aggregates.enumerated() { byName[a.name] = i }
        var sources: [Source] = []
        var offset = 0
        var matched = Set<Int>()
        var dropped: [String] = []
        for a in saved.aggregates {
            var target: Int?
            if let i = byName[a.name] {
                let n = current.aggregates[i]
                if n.function != a.function || n.argument != a.argument || n.input != a.input {
                    problems.append("aggregate '\(a.name)' was \(a.call), is now \(n.call): its state cannot be converted; give the new aggregate another name to start it empty")
                } else if n.words != a.words || n.side != a.side {
                    problems.append("aggregate '\(a.name)' has \(a.words) state words in the saved state and \(n.words) here (state written by another Weir version)")
                } else {
                    target = i
                    matched.insert(i)
                }
            } else {
                dropped.append(a.name)
            }
            sources.append(Source(target: target, offset: offset, words: a.words, side: a.side))
            offset += a.words
        }
        guard problems.isEmpty else {
            throw StateFormatError(problems.joined(separator: "; ") + " — this change is not compatible with the saved state (revert it, or start without that state)")
        }
        self.sources = sources
        stateWidth = offset
        added = current.aggregates.indices.filter { !matched.contains($0) }.map { current.aggregates[$0].name }
        self.dropped = dropped
    }

    private static func windowChanges(_ old: WindowSpec?, _ new: WindowSpec?) -> [String] {
        switch (old, new) {
        case (nil, nil): return []
        case (nil, _), (_, nil): return []   // reduce vs window: reported as the operator kind
        case (.tumbling(let s0, let o0)?, .tumbling(let s1, let o1)?):
            return change("window size", s0, s1) + change("window offset", o0, o1)
        case (.sliding(let s0, let sl0, let o0)?, .sliding(let s1, let sl1, let o1)?):
            return change("window size", s0, s1) + change("window slide", sl0, sl1) + change("window offset", o0, o1)
        case (.session(let g0)?, .session(let g1)?):
            return change("session gap", g0, g1)
        case (let o?, let n?):
            return ["window type was \(typeName(o)), is now \(typeName(n))"]
        }
    }

    private static func change(_ what: String, _ old: Int64, _ new: Int64) -> [String] {
        old == new ? [] : ["\(what) was \(duration(old)), is now \(duration(new))"]
    }

    /// `90000` → `1m30s`; below a second, or not whole seconds: milliseconds.
    static func duration(_ ms: Int64) -> String {
        guard ms != 0, ms % 1000 == 0 else { return "\(ms) ms" }
        var s = ms / 1000
        let sign = s < 0 ? "-" : ""
        s = abs(s)
        var out = ""
        if s >= 86_400 && s % 86_400 == 0 { return "\(sign)\(s / 86_400)d" }
        if s >= 3600 { out += "\(s / 3600)h"; s %= 3600 }
        if s >= 60 { out += "\(s / 60)m"; s %= 60 }
        if s > 0 { out += "\(s)s" }
        return sign + out
    }

    private static func typeName(_ w: WindowSpec) -> String {
        switch w {
        case .tumbling: return "tumbling"
        case .sliding: return "sliding"
        case .session: return "session"
        }
    }

    private static func describe(_ d: TimeDomain) -> String {
        d == .eventTime ? "event time" : "processing time"
    }

    private static func describe(_ keys: [StateLayout.Key]) -> String {
        keys.map { $0.name == $0.expression ? $0.name : "\($0.expression) as \($0.name)" }.joined(separator: ", ")
    }
}
