import WeirEngine
import WeirFormats
import Yams

/// `- map: {name: "expression", …}` adds or overwrites top-level fields and
/// keeps the rest. Every expression of one map sees the record as it was
/// before the step (like the columns of one SQL SELECT).
enum MapStep {
    static func load(_ node: Node, _ field: String, _ index: Int, _ reader: inout YAMLReader) -> StepDefinition.Kind? {
        guard let m = reader.openMapping(node, field, expected: "a mapping of field names to expressions") else { return nil }
        if m.entries.isEmpty { reader.error(field, node, "expected at least one field to compute, found an empty mapping"); return nil }
        var entries: [MapEntry] = []
        var ok = true
        for e in m.entries {
            let path = m.path(e.key)
            guard let name = reader.fieldName(e.keyNode, path) else {
                ok = false
                continue
            }
            guard let value = reader.expression(e.value, path) else { ok = false; continue }
            entries.append(MapEntry(name: name, value: value))
        }
        return ok ? .map(entries) : nil
    }

    static func compile(_ entries: [MapEntry], into b: inout ProgramBuilder) {
        var bindings: [(String, FieldBinding)] = []
        for entry in entries {
            guard let c = b.compile(entry.value) else { continue }
            bindings.append((entry.name.value, b.bind(c, entry.value)))
        }
        for (name, binding) in bindings {
            b.scope.define(name, binding)
            b.output.set(name, binding)
        }
    }
}
