import WeirEngine
import WeirFormats
import Yams

/// `- select: [field, "a.b", "expression as name", {name: expression}]` or
/// `- select: {name: expression, …}` keeps only these fields, in this order.
/// A field path without `as` is named by its last component (`page.host` → `host`).
enum SelectStep {
    static func load(_ node: Node, _ field: String, _ index: Int, _ reader: inout YAMLReader) -> StepDefinition.Kind? {
        var entries: [SelectEntry] = []
        var ok = true
        func add(_ entry: SelectEntry, _ at: Node, _ path: String) {
            if entries.contains(where: { $0.name.value == entry.name.value }) {
                reader.error(path, at, "output field '\(entry.name.value)' is selected twice; give one of them another name with 'as'")
                ok = false
            } else {
                entries.append(entry)
            }
        }
        func addMapping(_ m: YAMLMapping) {
            for e in m.entries {
                let path = m.path(e.key)
                guard let name = reader.fieldName(e.keyNode, path), let value = reader.expression(e.value, path) else { ok = false; continue }
                add(SelectEntry(name: name, value: value), e.keyNode, path)
            }
        }
        switch node {
        case .mapping:
            guard let m = reader.openMapping(node, field) else { return nil }
            if m.entries.isEmpty { reader.error(field, node, "expected at least one field to select, found an empty mapping"); return nil }
            addMapping(m)
        case .sequence(let items):
            if items.isEmpty { reader.error(field, node, "expected at least one field to select, found an empty list"); return nil }
            for (i, item) in items.enumerated() {
                let path = "\(field)[\(i)]"
                if case .mapping = item {
                    guard let m = reader.openMapping(item, path) else { ok = false; continue }
                    addMapping(m)
                    continue
                }
                guard let (value, alias) = reader.expression(item, path, allowAlias: true) else { ok = false; continue }
                let name: String
                if let alias {
                    name = alias
                } else if let p = value.syntax.fieldPath, let last = p.components.last {
                    name = last
                } else {
                    reader.error(path, item, "a select entry is a field ('user_id', 'page.host') or 'expression as name', found '\(value.text)'; add 'as name'")
                    ok = false
                    continue
                }
                if let problem = Names.fieldProblem(name) { reader.error(path, item, problem); ok = false; continue }
                add(SelectEntry(name: Located(name, at: value.location), value: value), item, path)
            }
        default:
            reader.error(field, node, "expected a list of fields or a mapping of names to expressions, found \(YAMLReader.describe(node))")
            return nil
        }
        return ok ? .select(entries) : nil
    }

    static func compile(_ entries: [SelectEntry], step: StepDefinition, into b: inout ProgramBuilder) {
        var fields: [(String, FieldBinding)] = []
        for entry in entries {
            guard let c = b.compile(entry.value) else { continue }
            fields.append((entry.name.value, b.bind(c, entry.value)))
        }
        guard fields.count == entries.count else { return }
        b.scope.close(to: fields, by: "the select in \(step.location.field)")
        b.output.project(fields)
    }
}
