import WeirEngine
import WeirFormats
import Yams

/// `- drop: [name, …]` removes top-level fields.
enum DropStep {
    static func load(_ node: Node, _ field: String, _ index: Int, _ reader: inout YAMLReader) -> StepDefinition.Kind? {
        // A single name may be written without brackets.
        if case .scalar = node {
            return reader.fieldName(node, field).map { .drop([$0]) }
        }
        guard let items = reader.sequence(node, field, expected: "a list of field names") else { return nil }
        if items.isEmpty { reader.error(field, node, "expected at least one field to drop, found an empty list"); return nil }
        var names: [Located<String>] = []
        var ok = true
        for (i, item) in items.enumerated() {
            guard let name = reader.fieldName(item, "\(field)[\(i)]") else { ok = false; continue }
            if names.contains(where: { $0.value == name.value }) {
                reader.error("\(field)[\(i)]", item, "'\(name.value)' is listed twice")
                ok = false
                continue
            }
            names.append(name)
        }
        return ok ? .drop(names) : nil
    }

    static func compile(_ names: [Located<String>], step: StepDefinition, into b: inout ProgramBuilder) {
        for name in names {
            if case .failure(let message) = b.scope.resolve(FieldPath([name.value])) {
                b.error(name.location, message.message)
                continue
            }
            b.scope.remove(name.value, because: "it was dropped in \(step.location.field)")
            b.output.remove(name.value)
        }
    }
}
