import WeirEngine

/// What `keyBy`, `window`, `aggregate` and `reduce` compiled to, with slots
/// of the current compile pass; `StatefulStageBuilder` turns it into the job's
/// `StatefulStage`.
struct StatefulPlan {
    var keys: [(name: Located<String>, slot: Int)] = []
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
}
