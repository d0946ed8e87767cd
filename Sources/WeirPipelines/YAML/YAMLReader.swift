import Yams

/// Reads typed values out of a composed YAML document and collects a
/// diagnostic for every value that is not what the format expects.
///
/// Accessors return nil after recording the problem, so loaders can keep going
/// and report several problems in one run.
struct YAMLReader {
    let file: String
    let source: SourceText
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String, text: String) {
        self.file = file
        self.source = SourceText(text)
    }

    // MARK: reporting

    mutating func error(_ field: String, at position: SourcePosition, _ message: String) {
        diagnostics.append(Diagnostic(file: file, line: position.line, column: position.column,
                                      field: field.isEmpty ? "(root)" : field, message: message))
    }

    mutating func error(_ field: String, _ node: Node, _ message: String) {
        error(field, at: Self.position(of: node), message)
    }

    mutating func append(_ d: Diagnostic) { diagnostics.append(d) }

    static func position(of node: Node) -> SourcePosition {
        guard let m = node.mark else { return SourcePosition(line: 1, column: 1) }
        return SourcePosition(line: m.line, column: m.column)
    }

    // MARK: describing what was found

    /// A short description of a node for "found …" messages.
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let s):
            if isNull(s) { return "nothing (null)" }
            if s.style == .plain, Int64(s.string) != nil { return "the number \(s.string)" }
            let shown = s.string.count > 40 ? String(s.string.prefix(40)) + "…" : s.string
            // Quoted numbers are strings; say so, or "found '2'" would puzzle.
            let quoted = s.style == .singleQuoted || s.style == .doubleQuoted
            return quoted ? "the quoted string '\(shown)'" : "'\(shown)'"
        }
    }

    static func isNull(_ s: Node.Scalar) -> Bool {
        guard s.style == .plain || s.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(s.string)
    }

    // MARK: typed access

    /// A mapping whose keys are strings, checked against the keys a section knows.
    mutating func mapping(_ node: Node, _ field: String, known: [String],
                          expected: String = "a mapping") -> YAMLMapping? {
        guard case .mapping(let m) = node else {
            error(field, node, "expected \(expected), found \(Self.describe(node))")
            return nil
        }
        var entries: [YAMLMapping.Entry] = []
        for (k, v) in m {
            guard case .scalar(let ks) = k, !Self.isNull(ks) else {
                error(field, k, "expected a key name, found \(Self.describe(k))")
                continue
            }
            if !known.isEmpty, !known.contains(ks.string) {
                error(Self.join(field, ks.string), k,
                      "unknown key '\(ks.string)'\(ClosestMatch.hint(for: ks.string, among: known)) (expected one of: \(known.joined(separator: ", ")))")
                continue
            }
            entries.append(.init(key: ks.string, keyNode: k, value: v))
        }
        return YAMLMapping(node: node, field: field, entries: entries)
    }

    /// A mapping with any string keys (user-chosen names), in document order.
    mutating func openMapping(_ node: Node, _ field: String, expected: String = "a mapping") -> YAMLMapping? {
        mapping(node, field, known: [], expected: expected)
    }

    /// A scalar as text; null and collections are refused.
    mutating func string(_ node: Node, _ field: String, expected: String = "a string") -> String? {
        guard case .scalar(let s) = node, !Self.isNull(s) else {
            error(field, node, "expected \(expected), found \(Self.describe(node))")
            return nil
        }
        return s.string
    }

    /// An integer in a range, written as a plain YAML number.
    mutating func int(_ node: Node, _ field: String, in range: ClosedRange<Int>) -> Int? {
        let expected = "an integer from \(range.lowerBound) to \(range.upperBound)"
        guard case .scalar(let s) = node, s.style == .plain || s.style == .any,
              let v = Int(s.string) else {
            error(field, node, "expected \(expected), found \(Self.describe(node))")
            return nil
        }
        guard range.contains(v) else {
            error(field, node, "expected \(expected), found \(v)")
            return nil
        }
        return v
    }

    /// `true` or `false`, written plain.
    mutating func bool(_ node: Node, _ field: String) -> Bool? {
        if case .scalar(let s) = node, s.style == .plain || s.style == .any {
            switch s.string {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        error(field, node, "expected true or false, found \(Self.describe(node))")
        return nil
    }

    /// A list, or nil with a diagnostic.
    mutating func sequence(_ node: Node, _ field: String, expected: String = "a list") -> [Node]? {
        guard case .sequence(let s) = node else {
            error(field, node, "expected \(expected), found \(Self.describe(node))")
            return nil
        }
        return Array(s)
    }

    /// A list of strings (`[a, b]`).
    mutating func stringList(_ node: Node, _ field: String, element: String = "a string") -> [(String, Node)]? {
        guard let items = sequence(node, field, expected: "a list of \(element)s") else { return nil }
        var out: [(String, Node)] = []
        var ok = true
        for (i, item) in items.enumerated() {
            if let s = string(item, "\(field)[\(i)]", expected: element) { out.append((s, item)) } else { ok = false }
        }
        return ok ? out : nil
    }

    static func join(_ field: String, _ key: String) -> String {
        field.isEmpty ? key : "\(field).\(key)"
    }
}

/// A checked mapping: its string keys in document order, with their nodes.
struct YAMLMapping {
    struct Entry {
        var key: String
        var keyNode: Node
        var value: Node
    }

    let node: Node
    let field: String
    let entries: [Entry]

    subscript(key: String) -> Node? {
        entries.first(where: { $0.key == key })?.value
    }

    func entry(_ key: String) -> Entry? { entries.first(where: { $0.key == key }) }

    func path(_ key: String) -> String { YAMLReader.join(field, key) }

    var position: SourcePosition { YAMLReader.position(of: node) }

    /// The value of a required key, or a diagnostic pointing at this mapping.
    func require(_ key: String, _ what: String, in reader: inout YAMLReader) -> Node? {
        if let v = self[key] { return v }
        reader.error(path(key), at: position, "missing required key '\(key)' (\(what))")
        return nil
    }
}
