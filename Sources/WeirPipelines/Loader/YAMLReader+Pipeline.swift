import Yams
import WeirEngine

/// Pipeline-specific reading: locations, expressions, names and topics.
extension YAMLReader {
    func location(_ field: String, _ node: Node) -> SourceLocation {
        let p = Self.position(of: node)
        return SourceLocation(file: file, line: p.line, column: p.column, field: field)
    }

    func location(_ field: String, at p: SourcePosition) -> SourceLocation {
        SourceLocation(file: file, line: p.line, column: p.column, field: field)
    }

    /// A string located where it was written.
    mutating func located(_ node: Node, _ field: String, expected: String = "a string") -> Located<String>? {
        guard let s = string(node, field, expected: expected) else { return nil }
        return Located(s, at: location(field, node))
    }

    mutating func topic(_ node: Node, _ field: String) -> Located<String>? {
        guard let t = located(node, field, expected: "a topic name") else { return nil }
        if let problem = Names.topicProblem(t.value) { error(field, node, problem); return nil }
        return t
    }

    mutating func fieldName(_ node: Node, _ field: String) -> Located<String>? {
        guard let n = located(node, field, expected: "a field name") else { return nil }
        if let problem = Names.fieldProblem(n.value) { error(field, node, problem); return nil }
        return n
    }

    /// An expression scalar, parsed; syntax errors point inside the scalar.
    mutating func expression(_ node: Node, _ field: String) -> PipelineExpression? {
        guard let (e, alias) = expression(node, field, allowAlias: false) else { return nil }
        _ = alias
        return e
    }

    /// An expression, optionally followed by `as name` (select entries).
    mutating func expression(_ node: Node, _ field: String, allowAlias: Bool) -> (PipelineExpression, alias: String?)? {
        guard case .scalar(let scalar) = node, !Self.isNull(scalar) else {
            error(field, node, "expected an expression (a string such as \"amount * 2\"), found \(Self.describe(node))")
            return nil
        }
        let text = scalar.string
        let positions = ScalarPositions.map(scalar, in: source)
        let start = location(field, node)
        func fail(_ e: ExpressionError) {
            let placeholder = PipelineExpression(text: text, location: start,
                                                 syntax: ExpressionSyntax(kind: .literal(.null), start: 0, end: 0),
                                                 positions: positions)
            append(placeholder.diagnostic(e))
        }
        if text.allSatisfy(\.isWhitespace) {
            error(field, node, "expected an expression, found an empty string")
            return nil
        }
        do {
            if allowAlias {
                let (syntax, alias) = try ExpressionParser.parseSelectItem(text)
                return (PipelineExpression(text: text, location: start, syntax: syntax, positions: positions), alias)
            }
            let syntax = try ExpressionParser.parse(text)
            return (PipelineExpression(text: text, location: start, syntax: syntax, positions: positions), nil)
        } catch {
            fail(error)
            return nil
        }
    }

    /// A format name: json (default), avro, json-schema.
    mutating func format(_ node: Node?, _ field: String) -> JobSpec.Format? {
        guard let node else { return .json }
        guard let f = string(node, field, expected: "a format (json, avro, json-schema)") else { return nil }
        switch f {
        case "json": return .json
        case "avro": return .avro
        case "json-schema", "jsonschema": return .jsonSchema
        case "protobuf":
            error(field, node, "format 'protobuf' is not supported yet; expected json, avro or json-schema")
        default:
            error(field, node, "unknown format '\(f)'\(ClosestMatch.hint(for: f, among: ["json", "avro", "json-schema"])); expected json, avro or json-schema")
        }
        return nil
    }
}
