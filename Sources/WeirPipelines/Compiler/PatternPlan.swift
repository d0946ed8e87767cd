import WeirEngine
import WeirFormats

/// What a `pattern` step compiled to, with slots of the current compile pass;
/// `StatefulStageBuilder` builds a fresh `Pattern` from it for every operator
/// (each gets its own condition evaluators).
struct PatternPlan {
    var definition: PatternDefinition
    var step: StepDefinition
    /// Per stage: its compiled `where` and `until`.
    var conditions: [(condition: CompiledPatternCondition?, until: CompiledPatternCondition?)] = []
    var measures: [(name: Located<String>, measure: CEPMeasure)] = []

    /// The engine's pattern, conditions bound to rows of `slotCount` slots.
    func pattern(slotCount: Int) -> Pattern<CEPEvent> {
        let d = definition
        var p = Pattern<CEPEvent>.begin(d.stages.first?.name.value ?? "", skip: d.skip)
        for (i, s) in d.stages.enumerated() {
            if i > 0 { p = p.then(s.name.value, s.contiguity) }
            if i < conditions.count, let c = conditions[i].condition {
                p = p.where(PatternConditionEvaluator(c, slotCount: slotCount).asCondition)
            }
            if let t = s.times { p = t.from == t.to && t.from > 0 ? p.times(t.from) : p.times(t.from, t.to) }
            if let n = s.timesOrMore { p = p.timesOrMore(n) }
            if s.oneOrMore { p = p.oneOrMore() }
            if s.optional { p = p.optional() }
            if s.greedy { p = p.greedy() }
            if s.consecutive { p = p.consecutive() }
            if s.allowCombinations { p = p.allowCombinations() }
            if i < conditions.count, let u = conditions[i].until {
                p = p.until(PatternConditionEvaluator(u, slotCount: slotCount).asCondition)
            }
        }
        if let w = d.withinMs { p = p.within(ms: w) }
        return p
    }

    /// Where the pattern file says what a refusal is about: the option of the
    /// stage at fault when the message names one, else the stage, else the step.
    func location(of error: PatternError) -> SourceLocation {
        let d = definition
        guard let name = error.stage else {
            if error.message.contains("within") { return d.withinLocation ?? d.location }
            if error.message.contains("skip strategy") { return d.skipLocation ?? d.location }
            return d.location
        }
        let isDuplicate = error.message.contains("duplicate")
        let named = d.stages.filter { $0.name.value == name }
        guard let stage = isDuplicate ? named.last : named.first else { return d.location }
        if isDuplicate { return stage.name.location }
        let m = error.message
        let keyed: [(phrase: String, keys: [String])] = [
            ("until", ["until"]), ("optional()", ["optional"]), ("optional is already", ["optional", "times"]),
            ("optional stage cannot be followed", ["contiguity"]), ("notFollowedBy cannot end", ["contiguity"]),
            ("greedy", ["greedy"]), ("consecutive and allowCombinations", ["allowCombinations"]),
            ("consecutive", ["consecutive"]), ("allowCombinations", ["allowCombinations"]),
            ("timesOrMore", ["timesOrMore"]), ("times", ["times"]),
            ("quantif", ["times", "timesOrMore", "oneOrMore", "optional", "greedy"]),
        ]
        for (phrase, keys) in keyed where m.contains(phrase) {
            for k in keys { if let at = stage.optionLocations[k] { return at } }
        }
        return stage.location
    }
}
