import WeirEngine
import Yams

/// Values in test files: JSON's data model written as YAML (JSON text is
/// YAML too). Plain scalars read as JSON reads them — `null`, `true`,
/// `false`, JSON numbers — and every other one as a string; quoted scalars
/// are strings. YAML's other number forms (`.5`, `+1`, `0x1F`, `1_000`,
/// `.inf`) are refused rather than guessed.
extension YAMLReader {
    mutating func testValue(_ node: Node, _ field: String) -> TestValue? {
        switch node {
        case .scalar(let s):
            return scalarValue(s, node, field)
        case .sequence(let seq):
            var items: [TestValue] = []
            var ok = true
            for (i, item) in seq.enumerated() {
                if let v = testValue(item, "\(field)[\(i)]") { items.append(v) } else { ok = false }
            }
            return ok ? .array(items) : nil
        case .mapping(let m):
            var members: [TestValue.Member] = []
            var ok = true
            for (k, v) in m {
                guard case .scalar(let ks) = k else {
                    error(field, k, "expected a field name, found \(Self.describe(k))")
                    ok = false
                    continue
                }
                if let value = testValue(v, Self.join(field, ks.string)) { members.append(.init(ks.string, value)) } else { ok = false }
            }
            return ok ? .object(members) : nil
        case .alias:
            error(field, node, "aliases are not supported in test values; write the value out")
            return nil
        }
    }

    private mutating func scalarValue(_ s: Node.Scalar, _ node: Node, _ field: String) -> TestValue? {
        guard s.style == .plain || s.style == .any else { return .string(s.string) }
        let t = s.string
        switch t {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let n = TestNumber(t) { return .number(n) }
        if Self.looksLikeYAMLNumber(t) {
            error(field, node, "'\(t)' is a number to YAML but not to JSON; write it as JSON does (e.g. 0.5, 1000, 1e3), or quote it for a string")
            return nil
        }
        return .string(t)
    }

    /// YAML 1.1/1.2 numeric forms that are not JSON numbers.
    static func looksLikeYAMLNumber(_ t: String) -> Bool {
        let lower = t.lowercased()
        if [".inf", "-.inf", "+.inf", ".nan"].contains(lower) { return true }
        var body = Substring(lower)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        if body.hasPrefix("0x") || body.hasPrefix("0o") || body.hasPrefix("0b") { return body.count > 2 && body.dropFirst(2).allSatisfy(\.isHexDigit) }
        let plain = body.filter { $0 != "_" }
        guard !plain.isEmpty, plain.first.map({ $0.isNumber || $0 == "." }) == true else { return false }
        return Double(String(plain)) != nil
    }

    /// The text of a scalar (message keys, header values, key fields): numbers
    /// and booleans as written; nil for null.
    mutating func scalarText(_ node: Node, _ field: String, what: String) -> String?? {
        guard case .scalar(let s) = node else {
            error(field, node, "expected \(what), found \(Self.describe(node))")
            return nil
        }
        if Self.isNull(s) { return .some(nil) }
        return .some(s.string)
    }

    /// A point in time: epoch milliseconds, or an RFC 3339 time (`2026-01-01T00:01:00Z`).
    mutating func instant(_ node: Node, _ field: String) -> Int64? {
        guard case .scalar(let s) = node, !Self.isNull(s) else {
            error(field, node, "expected a time: epoch milliseconds or an RFC 3339 time such as 2026-01-01T00:01:00Z, found \(Self.describe(node))")
            return nil
        }
        if let ms = Int64(s.string), s.style == .plain || s.style == .any { return ms }
        let bytes = Array(s.string.utf8)
        if let ms = bytes.withUnsafeBytes({ RFC3339.parseMillis($0) }) { return ms }
        error(field, node, "expected a time: epoch milliseconds or an RFC 3339 time such as 2026-01-01T00:01:00Z, found '\(s.string)'")
        return nil
    }

    /// Where a node is written, and whether in flow style: told by the text
    /// (a collection's mark is its `{` or `[` then), since Yams gives a
    /// collection the style of its end event, not of its start.
    func place(_ node: Node) -> TextPlace {
        let p = Self.position(of: node)
        var flow = false
        switch node {
        case .mapping, .sequence:
            let c = source.scalar(line: p.line - 1, column: p.column - 1)
            flow = c == "{" || c == "["
        default: break
        }
        return TextPlace(line: p.line, column: p.column, isFlow: flow)
    }
}
