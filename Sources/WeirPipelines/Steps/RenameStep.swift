import WeirEngine
import WeirFormats
import Yams

/// `- rename: {old: new, …}` renames top-level fields, all at once (so
/// `{a: b, b: a}` swaps). A new name may not be a field that already exists.
enum RenameStep {
    static func load(_ node: Node, _ field: String, _ index: Int, _ reader: inout YAMLReader) -> StepDefinition.Kind? {
        guard let m = reader.openMapping(node, field, expected: "a mapping of old names to new names") else { return nil }
        if m.entries.isEmpty { reader.error(field, node, "expected at least one field to rename, found an empty mapping"); return nil }
        var entries: [RenameEntry] = []
        var ok = true
        for e in m.entries {
            let path = m.path(e.key)
            guard let from = reader.fieldName(e.keyNode, path), let to = reader.fieldName(e.value, path) else {
                ok = false
                continue
            }
            if from.value == to.value {
                reader.error(path, e.value, "renaming '\(from.value)' to itself")
                ok = false
                continue
            }
            if let earlier = entries.first(where: { $0.to.value == to.value }) {
                reader.error(path, e.value, "'\(earlier.from.value)' and '\(from.value)' are both renamed to '\(to.value)'")
                ok = false
                continue
            }
            entries.append(RenameEntry(from: from, to: to))
        }
        return ok ? .rename(entries) : nil
    }

    static func compile(_ entries: [RenameEntry], step: StepDefinition, into b: inout ProgramBuilder) {
        let froms = Set(entries.map(\.from.value))
        var moves: [(RenameEntry, FieldBinding)] = []
        for entry in entries {
            switch b.scope.resolve(FieldPath([entry.from.value])) {
            case .failure(let message):
                b.error(entry.from.location, message.message)
                continue
            case .success(let binding):
                moves.append((entry, binding))
            }
            if b.scope.isKnown(entry.to.value), !froms.contains(entry.to.value) {
                b.error(entry.to.location, "cannot rename '\(entry.from.value)' to '\(entry.to.value)': a field named '\(entry.to.value)' already exists (drop it first)")
            }
        }
        guard moves.count == entries.count else { return }
        for (entry, _) in moves {
            b.scope.remove(entry.from.value, because: "it was renamed to '\(entry.to.value)' in \(step.location.field)")
        }
        for (entry, binding) in moves { b.scope.define(entry.to.value, binding) }
        b.output.rename(moves.map { ($0.0.from.value, $0.0.to.value, $0.1) })
    }
}

