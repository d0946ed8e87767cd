import WeirEngine
import WeirFormats

/// What `keyBy`, `window`, `aggregate` and `reduce` compiled to, with slots
/// of the current compile pass; `StatefulStageBuilder` turns it into the job's
/// `StatefulStage`.
struct StatefulPlan {
    /// `source`: the key's expression in canonical form (saved state is keyed by it).
    var keys: [(name: Located<String>, slot: Int, source: String)] = []
    /// What each key field reads: an unchanged input field is what a source's
    /// `keyedBy` can vouch for (Repartitioning.swift).
    var keyBindings: [FieldBinding] = []
    /// The keyBy step; nil when the pipeline has none.
    var keyBy: StepDefinition?
    var window: WindowDefinition?
    var windowStep: StepDefinition?
    var aggregates: [(name: Located<String>, spec: AggregateSpec)] = []
    /// The aggregate or reduce step.
    var aggregateStep: StepDefinition?
    var isReduce = false
    /// The pattern step (instead of window + aggregate or reduce).
    var pattern: PatternPlan?
    /// What the key and aggregate input slots can hold (for the results' Avro schema).
    var inputKinds: [Int: CellKinds] = [:]
}
