import WeirEngine
import Yams

/// `- reduce: {orders: count(), revenue: sum(amount)}` after `keyBy`: a
/// running aggregate per key without windows; every record emits its key's
/// updated row (the key fields and these fields). Same functions as aggregate.
enum ReduceStep {
    static func load(_ node: Node, _ field: String, _ index: Int, _ reader: inout YAMLReader) -> StepDefinition.Kind? {
        AggregateStep.entries(node, field, &reader).map { .reduce($0) }
    }

    static func compile(_ entries: [AggregateEntry], step: StepDefinition, into b: inout ProgramBuilder) {
        b.stateful.isReduce = true
        AggregateStep.compile(entries, step: step, into: &b)
    }
}
