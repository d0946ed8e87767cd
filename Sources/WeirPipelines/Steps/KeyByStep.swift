import WeirEngine
import WeirFormats
import Yams

/// `- keyBy: [user_id, "lower(page.host) as host"]` (or `keyBy: user_id`, or
/// `keyBy: {host: "lower(page.host)"}`) keys the stream for the window or
/// reduce step after it. A field path is named by its last component; an
/// expression by its `as` alias, else `key`. The key fields lead every output row.
enum KeyByStep {
    static func load(_ node: Node, _ field: String, _ index: Int, _ reader: inout YAMLReader) -> StepDefinition.Kind? {
        var entries: [KeyEntry] = []
        var ok = true
        func add(_ entry: KeyEntry, _ at: Node, _ path: String) {
            if entries.contains(where: { $0.name.value == entry.name.value }) {
                reader.error(path, at, "key field '\(entry.name.value)' is listed twice; name one of them with 'as'")
                ok = false
            } else {
                entries.append(entry)
            }
        }
        func addMapping(_ m: YAMLMapping) {
            for e in m.entries {
                let path = m.path(e.key)
                guard let name = reader.fieldName(e.keyNode, path), let value = reader.expression(e.value, path) else { ok = false; continue }
                add(KeyEntry(name: name, value: value), e.keyNode, path)
            }
        }
        func addItem(_ item: Node, _ path: String) {
            if case .mapping = item {
                guard let m = reader.openMapping(item, path) else { ok = false; return }
                addMapping(m)
                return
            }
            guard let (value, alias) = reader.expression(item, path, allowAlias: true) else { ok = false; return }
            let name = alias ?? value.syntax.fieldPath?.components.last ?? "key"
            if let problem = Names.fieldProblem(name) { reader.error(path, item, problem); ok = false; return }
            add(KeyEntry(name: Located(name, at: value.location), value: value), item, path)
        }
        switch node {
        case .scalar:
            addItem(node, field)
        case .mapping:
            guard let m = reader.openMapping(node, field) else { return nil }
            if m.entries.isEmpty { reader.error(field, node, "expected at least one key field, found an empty mapping"); return nil }
            addMapping(m)
        case .sequence(let items):
            if items.isEmpty { reader.error(field, node, "expected at least one key field, found an empty list"); return nil }
            for (i, item) in items.enumerated() { addItem(item, "\(field)[\(i)]") }
        default:
            reader.error(field, node, "expected a field, a list of fields or expressions ('expr as name'), found \(YAMLReader.describe(node))")
            return nil
        }
        return ok ? .keyBy(entries) : nil
    }

    static func compile(_ entries: [KeyEntry], step: StepDefinition, into b: inout ProgramBuilder) {
        b.stateful.keyBy = step
        for entry in entries {
            guard let c = b.compile(entry.value) else { continue }
            let kinds = b.cellKinds(c, entry.value)
            let binding = b.bind(c, entry.value)
            let slot = b.slot(for: binding)
            b.stateful.keys.append((entry.name, slot, entry.value.syntax.canonicalText))
            b.stateful.keyBindings.append(binding)
            b.stateful.inputKinds[slot] = kinds
        }
    }
}
