import Yams

/// `steps:` — a list of one-key mappings; the key names the step kind.
/// Adding a step kind: a file in Steps/ with `load` and `compile`, a case in
/// `StepDefinition.Kind`, an entry in `kinds` and a line in
/// `PipelineCompiler.apply`.
enum StepLoader {
    typealias KindLoader = (_ value: Node, _ field: String, _ index: Int, _ reader: inout YAMLReader) -> StepDefinition.Kind?

    static let kinds: [(key: String, load: KindLoader)] = [
        ("filter", FilterStep.load),
        ("map", MapStep.load),
        ("rename", RenameStep.load),
        ("drop", DropStep.load),
        ("select", SelectStep.load),
        ("keyBy", KeyByStep.load),
        ("window", WindowStep.load),
        ("aggregate", AggregateStep.load),
        ("reduce", ReduceStep.load),
        ("pattern", PatternStep.load),
    ]

    static var kindNames: [String] { kinds.map(\.key) }

    static func load(_ node: Node, _ reader: inout YAMLReader) -> [StepDefinition] {
        // `steps:` with every item commented out means no steps.
        if case .scalar(let s) = node, YAMLReader.isNull(s) { return [] }
        guard let items = reader.sequence(node, "steps", expected: "a list of steps") else { return [] }
        var steps: [StepDefinition] = []
        let known = kindNames.joined(separator: ", ")
        for (i, item) in items.enumerated() {
            let field = "steps[\(i)]"
            guard case .mapping(let m) = item, m.count > 0 else {
                let found = YAMLReader.describe(item)
                reader.error(field, item, "expected a step (a mapping with one key: \(known)), found \(found)")
                continue
            }
            guard let step = reader.openMapping(item, field) else { continue }
            if step.entries.count > 1 {
                let keys = step.entries.map(\.key).joined(separator: ", ")
                reader.error("\(field).\(step.entries[1].key)", step.entries[1].keyNode,
                             "a step has exactly one key, found \(step.entries.count) (\(keys)); start a new list item ('- ') for each step")
                continue
            }
            guard let entry = step.entries.first else { continue }
            guard let kind = kinds.first(where: { $0.key == entry.key }) else {
                reader.error("\(field).\(entry.key)", entry.keyNode,
                             "unknown step kind '\(entry.key)'\(ClosestMatch.hint(for: entry.key, among: kindNames)) (expected one of: \(known))")
                continue
            }
            let stepField = "\(field).\(entry.key)"
            if let loaded = kind.load(entry.value, stepField, i, &reader) {
                steps.append(StepDefinition(kind: loaded, location: reader.location(stepField, entry.keyNode), index: i))
            }
        }
        return steps
    }
}
