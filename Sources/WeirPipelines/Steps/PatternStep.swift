import WeirEngine
import Yams

/// `- pattern: {stages: […], within: 5m, afterMatch: skipPastLastEvent, measures: {…}}`
/// after keyBy: Flink CEP's pattern per key, one output row per match (the key
/// fields, then the measures). docs/cep.md, "In pipeline files".
///
/// ```yaml
/// - pattern:
///     stages:
///       - {name: fail, where: "not ok", timesOrMore: 3, consecutive: true}
///       - {name: success, contiguity: next, where: "ok"}
///     within: 5m
///     afterMatch: skipPastLastEvent
///     measures: {failures: count(fail), first_ip: first(fail.ip), from: match_start(), to: match_end()}
/// ```
enum PatternStep {
    static let keys = ["stages", "within", "afterMatch", "measures", "timedOut", "maxPartialMatchesPerKey"]
    static let stageKeys = ["name", "contiguity", "where", "until", "times", "timesOrMore", "oneOrMore", "optional",
                            "greedy", "consecutive", "allowCombinations"]
    static let contiguities: [(String, Contiguity)] = [
        ("next", .strict), ("followedBy", .relaxed), ("followedByAny", .nonDeterministicRelaxed),
        ("notNext", .notNext), ("notFollowedBy", .notFollowedBy),
    ]
    static let skips = ["noSkip", "skipToNext", "skipPastLastEvent", "skipToFirst", "skipToLast"]

    static func load(_ node: Node, _ field: String, _ index: Int, _ reader: inout YAMLReader) -> StepDefinition.Kind? {
        guard let m = reader.mapping(node, field, known: keys, expected: "a mapping with stages (and within, afterMatch, measures)"),
              let stagesNode = m.require("stages", "the pattern's stages, in order", in: &reader),
              let items = reader.sequence(stagesNode, m.path("stages"), expected: "a list of stages ({name: a, where: \"…\"})")
        else { return nil }
        guard !items.isEmpty else { reader.error(m.path("stages"), stagesNode, "a pattern needs at least one stage"); return nil }
        var stages: [PatternDefinition.Stage] = []
        var ok = true
        for (i, item) in items.enumerated() {
            if let s = stage(item, "\(m.path("stages"))[\(i)]", first: i == 0, &reader) { stages.append(s) } else { ok = false }
        }
        var within: Int64?
        var withinLocation: SourceLocation?
        if let w = m.entry("within") {
            within = reader.duration(w.value, m.path("within"), in: 1...WindowSpec.maxSizeMs, what: "within")
            if within == nil { ok = false }
            withinLocation = reader.location(m.path("within"), w.keyNode)
        }
        var skip = AfterMatchSkipStrategy.noSkip
        var skipLocation: SourceLocation?
        if let a = m.entry("afterMatch") {
            skipLocation = reader.location(m.path("afterMatch"), a.keyNode)
            if let s = afterMatch(a.value, m.path("afterMatch"), &reader) { skip = s } else { ok = false }
        }
        var measures: [(name: Located<String>, value: PipelineExpression)] = []
        if let mn = m["measures"] {
            guard let mm = reader.openMapping(mn, m.path("measures"), expected: "a mapping of output names to measures, e.g. {failures: count(fail)}") else { return nil }
            for e in mm.entries {
                guard let name = reader.fieldName(e.keyNode, mm.path(e.key)),
                      let value = reader.expression(e.value, mm.path(e.key)) else { ok = false; continue }
                measures.append((name, value))
            }
        }
        var timedOut: Located<String>?
        var timedOutDestination: DestinationDefinition?
        if let t = m["timedOut"] {
            let expected = "a mapping {topic: name} (or {file: path}) and/or {field: timed_out}"
            guard let tm = reader.mapping(t, m.path("timedOut"), known: ["topic", "file", "field"], expected: expected) else { return nil }
            if tm.entries.isEmpty { reader.error(m.path("timedOut"), t, "expected \(expected)"); return nil }
            if let f = tm["field"] {
                guard let name = reader.fieldName(f, tm.path("field")) else { return nil }
                timedOut = name
            }
            // the same shape as lateData: {topic: …} for Kafka jobs, {file: …} for file jobs
            switch (tm.entry("topic"), tm.entry("file")) {
            case (.some, .some(let second)):
                reader.error(tm.path("file"), second.keyNode, "use either 'topic' or 'file', not both")
                return nil
            case (.some(let t), nil):
                guard let topic = reader.topic(t.value, tm.path("topic")) else { return nil }
                timedOutDestination = .topic(topic)
            case (nil, .some(let f)):
                guard let path = reader.filePath(f.value, tm.path("file")) else { return nil }
                timedOutDestination = .file(path)
            case (nil, nil): break
            }
        }
        var cap: Int?
        if let c = m["maxPartialMatchesPerKey"] {
            cap = reader.int(c, m.path("maxPartialMatchesPerKey"), in: 1...100_000_000)
            if cap == nil { ok = false }
        }
        guard ok else { return nil }
        var d = PatternDefinition(stages: stages, withinMs: within, skip: skip, measures: measures, timedOutField: timedOut,
                                  withinLocation: withinLocation, skipLocation: skipLocation, location: reader.location(field, node))
        d.timedOutDestination = timedOutDestination
        if let cap { d.maxPartialMatchesPerKey = cap }
        return .pattern(d)
    }

    private static func stage(_ node: Node, _ field: String, first: Bool, _ reader: inout YAMLReader) -> PatternDefinition.Stage? {
        guard let m = reader.mapping(node, field, known: stageKeys, expected: "a stage ({name: a, where: \"…\"})"),
              let n = m.require("name", "the stage's name, used by conditions, measures and afterMatch", in: &reader),
              let name = reader.located(n, m.path("name"), expected: "a stage name") else { return nil }
        var s = PatternDefinition.Stage(name: name, contiguity: .relaxed, location: reader.location(field, node))
        for e in m.entries { s.optionLocations[e.key] = reader.location(m.path(e.key), e.keyNode) }
        var ok = true
        if let c = m.entry("contiguity") {
            guard let text = reader.string(c.value, m.path("contiguity"), expected: "a contiguity") else { return nil }
            guard let found = contiguities.first(where: { $0.0 == text }) else {
                let names = contiguities.map(\.0)
                reader.error(m.path("contiguity"), c.value,
                             "unknown contiguity '\(text)'\(ClosestMatch.hint(for: text, among: names)) (expected one of: \(names.joined(separator: ", ")))")
                return nil
            }
            if first {
                reader.error(m.path("contiguity"), c.value, found.1.isNegation
                             ? "a pattern cannot start with a not-stage (\(text)): nothing to be absent after"
                             : "the first stage has no contiguity: it starts the pattern")
                return nil
            }
            s.contiguity = found.1
        }
        if let w = m["where"] { s.condition = reader.expression(w, m.path("where")); ok = ok && s.condition != nil }
        if let u = m["until"] { s.until = reader.expression(u, m.path("until")); ok = ok && s.until != nil }
        let quantifiers = m.entries.filter { ["times", "timesOrMore", "oneOrMore"].contains($0.key) }
        if quantifiers.count > 1 {
            reader.error(m.path(quantifiers[1].key), quantifiers[1].keyNode,
                         "a stage has one quantifier; found both '\(quantifiers[0].key)' and '\(quantifiers[1].key)'")
            return nil
        }
        if let t = m["times"] {
            if case .sequence(let pair) = t {
                guard pair.count == 2, let a = reader.int(pair[0], m.path("times") + "[0]", in: 0...1_000_000),
                      let b = reader.int(pair[1], m.path("times") + "[1]", in: 0...1_000_000) else {
                    if pair.count != 2 { reader.error(m.path("times"), t, "times takes a count (3) or a range [from, to]") }
                    return nil
                }
                s.times = (a, b)
            } else if let n = reader.int(t, m.path("times"), in: 1...1_000_000) {
                s.times = (n, n)
            } else { ok = false }
        }
        if let t = m["timesOrMore"] {
            if let n = reader.int(t, m.path("timesOrMore"), in: 1...1_000_000) { s.timesOrMore = n } else { ok = false }
        }
        func flag(_ key: String) -> Bool {
            guard let v = m[key] else { return false }
            guard let b = reader.bool(v, m.path(key)) else { ok = false; return false }
            return b
        }
        s.oneOrMore = flag("oneOrMore")
        s.optional = flag("optional")
        s.greedy = flag("greedy")
        s.consecutive = flag("consecutive")
        s.allowCombinations = flag("allowCombinations")
        return ok ? s : nil
    }

    private static func afterMatch(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> AfterMatchSkipStrategy? {
        let expected = "noSkip, skipToNext, skipPastLastEvent, {skipToFirst: stage} or {skipToLast: stage}"
        if case .mapping = node {
            guard let m = reader.mapping(node, field, known: ["skipToFirst", "skipToLast"], expected: expected) else { return nil }
            guard let e = m.entries.first, m.entries.count == 1 else {
                reader.error(field, node, "expected one of {skipToFirst: stage} or {skipToLast: stage}")
                return nil
            }
            guard let stage = reader.string(e.value, m.path(e.key), expected: "a stage name") else { return nil }
            return e.key == "skipToFirst" ? .skipToFirst(stage) : .skipToLast(stage)
        }
        guard let text = reader.string(node, field, expected: expected) else { return nil }
        switch text {
        case "noSkip": return .noSkip
        case "skipToNext": return .skipToNext
        case "skipPastLastEvent": return .skipPastLastEvent
        case "skipToFirst", "skipToLast":
            reader.error(field, node, "\(text) names a stage: write {\(text): stageName}")
        default:
            reader.error(field, node, "unknown afterMatch '\(text)'\(ClosestMatch.hint(for: text, among: skips)) (expected \(expected))")
        }
        return nil
    }
}
