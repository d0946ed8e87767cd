/// One text per expression, however it is spaced, parenthesized or cased:
/// keyed state records its key fields and aggregate inputs in this form, so a
/// savepoint is matched to an edited pipeline by what the fields compute, not
/// by how they are written (`sum(amount*100)` and `sum( amount * 100 )` are
/// the same aggregate).
extension ExpressionSyntax {
    var canonicalText: String { render(nested: false) }

    private func render(nested: Bool) -> String {
        func wrap(_ s: String) -> String { nested ? "(\(s))" : s }
        switch kind {
        case .literal(let l):
            switch l {
            case .null: return "null"
            case .bool(let b): return b ? "true" : "false"
            case .int(let i): return String(i)
            case .double(let d): return String(d)
            case .string(let bytes):
                let text = String(decoding: bytes, as: UTF8.self)
                return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
            }
        case .field(let p):
            // a keyword is a plain name only after a dot (`stats.null`)
            return p.components.enumerated().map { i, c in
                i == 0 && Self.keywords.contains(c.lowercased()) ? "`\(c)`" : Self.name(c)
            }.joined(separator: ".")
        case .negate(let e): return "-" + e.render(nested: true)
        case .not(let e): return wrap("not " + e.render(nested: true))
        case .binary(let op, let l, let r, _):
            return wrap("\(l.render(nested: true)) \(op.rawValue) \(r.render(nested: true))")
        case .and(let l, let r): return wrap("\(l.render(nested: true)) and \(r.render(nested: true))")
        case .or(let l, let r): return wrap("\(l.render(nested: true)) or \(r.render(nested: true))")
        case .isNull(let e, let negated): return wrap(e.render(nested: true) + (negated ? " is not null" : " is null"))
        case .call(let name, let args):
            return name.lowercased() + "(" + args.map { $0.render(nested: false) }.joined(separator: ", ") + ")"
        }
    }

    private static let keywords: Set<String> = ["and", "or", "not", "is", "null", "true", "false"]

    /// A path component as the grammar reads it: plain, or in backticks.
    private static func name(_ s: String) -> String {
        let plain = s.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } ?? false
            && s.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
        return plain ? s : "`\(s)`"
    }
}
