import WeirFormats

/// Recursive-descent parser for the expression language (grammar in
/// docs/expressions.md), from loosest to tightest binding:
/// `or`, `and`, `not`, comparisons and `is [not] null`, `+ -`, `* / %`,
/// unary `-`, then literals, fields, calls and parentheses.
struct ExpressionParser {
    private let tokens: [ExpressionToken]
    private var position = 0
    private var depth = 0

    /// Nesting deeper than this is refused rather than risking the stack.
    private static let maxDepth = 200

    private init(tokens: [ExpressionToken]) { self.tokens = tokens }

    /// Parses a whole expression.
    static func parse(_ text: String) throws(ExpressionError) -> ExpressionSyntax {
        var p = ExpressionParser(tokens: try ExpressionLexer.tokenize(text))
        let e = try p.expression()
        try p.expectEnd()
        try checkHeight(e)
        return e
    }

    /// Operator chains (`a + a + … + a`) are parsed by loops, not recursion,
    /// but compiling and evaluating them recurses once per level: refuse
    /// trees taller than the nesting limit.
    private static func checkHeight(_ root: ExpressionSyntax) throws(ExpressionError) {
        var stack: [(ExpressionSyntax, Int)] = [(root, 1)]
        while let (e, height) = stack.popLast() {
            if height > maxDepth {
                throw ExpressionError(offset: e.start, message: "expression nested too deeply (more than \(maxDepth) levels)")
            }
            switch e.kind {
            case .literal, .field: break
            case .negate(let x), .not(let x), .isNull(let x, _): stack.append((x, height + 1))
            case .binary(_, let l, let r, _), .and(let l, let r), .or(let l, let r):
                stack.append((l, height + 1)); stack.append((r, height + 1))
            case .call(_, let args): for a in args { stack.append((a, height + 1)) }
            }
        }
    }

    /// Parses a `select` entry: an expression optionally followed by `as name`.
    static func parseSelectItem(_ text: String) throws(ExpressionError) -> (ExpressionSyntax, alias: String?) {
        var p = ExpressionParser(tokens: try ExpressionLexer.tokenize(text))
        let e = try p.expression()
        try checkHeight(e)
        var alias: String?
        if case .identifier(let w) = p.current.kind, w.lowercased() == "as" {
            p.position += 1
            switch p.current.kind {
            case .identifier(let n), .quotedIdentifier(let n):
                alias = n
                p.position += 1
            default:
                throw ExpressionError(offset: p.current.offset, message: "expected a name after 'as', found \(p.describeCurrent())")
            }
        }
        try p.expectEnd()
        return (e, alias)
    }

    // MARK: token helpers

    private var current: ExpressionToken { tokens[min(position, tokens.count - 1)] }

    private mutating func advance() -> ExpressionToken {
        let t = current
        if position < tokens.count - 1 { position += 1 }
        return t
    }

    private func isKeyword(_ k: ExpressionToken.Keyword) -> Bool {
        if case .keyword(k) = current.kind { return true }
        return false
    }

    private func describeCurrent() -> String {
        switch current.kind {
        case .end: return "the end of the expression"
        case .integer(let v): return "the number \(v)"
        case .decimal(let d): return "the number \(d)"
        case .string: return "a string"
        case .identifier(let n): return "'\(n)'"
        case .quotedIdentifier(let n): return "`\(n)`"
        case .keyword(let k): return "'\(k.rawValue)'"
        case .dot: return "'.'"
        case .comma: return "','"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .plus: return "'+'"
        case .minus: return "'-'"
        case .star: return "'*'"
        case .slash: return "'/'"
        case .percent: return "'%'"
        case .equal: return "'=='"
        case .notEqual: return "'!='"
        case .less: return "'<'"
        case .lessOrEqual: return "'<='"
        case .greater: return "'>'"
        case .greaterOrEqual: return "'>='"
        }
    }

    private func expectEnd() throws(ExpressionError) {
        guard current.kind == .end else {
            throw ExpressionError(offset: current.offset,
                                  message: "expected an operator or the end of the expression, found \(describeCurrent())")
        }
    }

    private mutating func nest() throws(ExpressionError) {
        depth += 1
        if depth > Self.maxDepth {
            throw ExpressionError(offset: current.offset, message: "expression nested too deeply (more than \(Self.maxDepth) levels)")
        }
    }

    // MARK: grammar

    private mutating func expression() throws(ExpressionError) -> ExpressionSyntax {
        try nest()
        defer { depth -= 1 }
        return try or()
    }

    private mutating func or() throws(ExpressionError) -> ExpressionSyntax {
        var left = try and()
        while isKeyword(.or) {
            _ = advance()
            let right = try and()
            left = ExpressionSyntax(kind: .or(left, right), start: left.start, end: right.end)
        }
        return left
    }

    private mutating func and() throws(ExpressionError) -> ExpressionSyntax {
        var left = try not()
        while isKeyword(.and) {
            _ = advance()
            let right = try not()
            left = ExpressionSyntax(kind: .and(left, right), start: left.start, end: right.end)
        }
        return left
    }

    private mutating func not() throws(ExpressionError) -> ExpressionSyntax {
        if isKeyword(.not) {
            let t = advance()
            try nest()
            defer { depth -= 1 }
            let operand = try not()
            return ExpressionSyntax(kind: .not(operand), start: t.offset, end: operand.end)
        }
        return try comparison()
    }

    private func comparisonOperator() -> BinaryOperator? {
        switch current.kind {
        case .equal: return .equal
        case .notEqual: return .notEqual
        case .less: return .less
        case .lessOrEqual: return .lessOrEqual
        case .greater: return .greater
        case .greaterOrEqual: return .greaterOrEqual
        default: return nil
        }
    }

    private mutating func comparison() throws(ExpressionError) -> ExpressionSyntax {
        let left = try additive()
        var result = left
        if let op = comparisonOperator() {
            let t = advance()
            let right = try additive()
            result = ExpressionSyntax(kind: .binary(op, left, right, operatorOffset: t.offset), start: left.start, end: right.end)
        } else if isKeyword(.is) {
            _ = advance()
            var negated = false
            if isKeyword(.not) { _ = advance(); negated = true }
            guard isKeyword(.null) else {
                throw ExpressionError(offset: current.offset,
                                      message: "expected 'null' after 'is\(negated ? " not" : "")', found \(describeCurrent())")
            }
            let t = advance()
            result = ExpressionSyntax(kind: .isNull(left, negated: negated), start: left.start, end: t.offset + t.length)
        } else {
            return left
        }
        if comparisonOperator() != nil || isKeyword(.is) {
            throw ExpressionError(offset: current.offset,
                                  message: "comparisons cannot be chained; combine them with 'and' (a < b and b < c)")
        }
        return result
    }

    private mutating func additive() throws(ExpressionError) -> ExpressionSyntax {
        var left = try multiplicative()
        while true {
            let op: BinaryOperator
            switch current.kind {
            case .plus: op = .add
            case .minus: op = .subtract
            default: return left
            }
            let t = advance()
            let right = try multiplicative()
            left = ExpressionSyntax(kind: .binary(op, left, right, operatorOffset: t.offset), start: left.start, end: right.end)
        }
    }

    private mutating func multiplicative() throws(ExpressionError) -> ExpressionSyntax {
        var left = try unary()
        while true {
            let op: BinaryOperator
            switch current.kind {
            case .star: op = .multiply
            case .slash: op = .divide
            case .percent: op = .remainder
            default: return left
            }
            let t = advance()
            let right = try unary()
            left = ExpressionSyntax(kind: .binary(op, left, right, operatorOffset: t.offset), start: left.start, end: right.end)
        }
    }

    private mutating func unary() throws(ExpressionError) -> ExpressionSyntax {
        guard current.kind == .minus else { return try primary() }
        let t = advance()
        // `-9223372036854775808` is the one literal whose magnitude alone does not fit.
        if case .integer(let v) = current.kind {
            let n = advance()
            let value: Int64 = v == UInt64(Int64.max) + 1 ? Int64.min : -Int64(v)
            return try postfixFree(ExpressionSyntax(kind: .literal(.int(value)), start: t.offset, end: n.offset + n.length))
        }
        try nest()
        defer { depth -= 1 }
        let operand = try unary()
        return ExpressionSyntax(kind: .negate(operand), start: t.offset, end: operand.end)
    }

    /// Literals cannot be followed by `.name` or `(`.
    private func postfixFree(_ e: ExpressionSyntax) throws(ExpressionError) -> ExpressionSyntax {
        if current.kind == .dot || current.kind == .leftParen {
            throw ExpressionError(offset: current.offset, message: "unexpected \(describeCurrent()) after a literal")
        }
        return e
    }

    private mutating func primary() throws(ExpressionError) -> ExpressionSyntax {
        let t = current
        let end = t.offset + t.length
        switch t.kind {
        case .integer(let v):
            _ = advance()
            guard v <= UInt64(Int64.max) else {
                throw ExpressionError(offset: t.offset, message: "integer \(v) does not fit in 64 bits (largest is 9223372036854775807)")
            }
            return try postfixFree(ExpressionSyntax(kind: .literal(.int(Int64(v))), start: t.offset, end: end))
        case .decimal(let d):
            _ = advance()
            return try postfixFree(ExpressionSyntax(kind: .literal(.double(d)), start: t.offset, end: end))
        case .string(let bytes):
            _ = advance()
            return try postfixFree(ExpressionSyntax(kind: .literal(.string(bytes)), start: t.offset, end: end))
        case .keyword(.true), .keyword(.false):
            _ = advance()
            return try postfixFree(ExpressionSyntax(kind: .literal(.bool(t.kind == .keyword(.true))), start: t.offset, end: end))
        case .keyword(.null):
            _ = advance()
            return try postfixFree(ExpressionSyntax(kind: .literal(.null), start: t.offset, end: end))
        case .leftParen:
            _ = advance()
            let inner = try expression()
            guard current.kind == .rightParen else {
                throw ExpressionError(offset: current.offset,
                                      message: "expected ')' to close the '(', found \(describeCurrent())")
            }
            let close = advance()
            return ExpressionSyntax(kind: inner.kind, start: t.offset, end: close.offset + 1)
        case .identifier(let name):
            _ = advance()
            if current.kind == .leftParen { return try call(name: name, at: t) }
            return try path(first: name, start: t)
        case .quotedIdentifier(let name):
            _ = advance()
            return try path(first: name, start: t)
        default:
            throw ExpressionError(offset: t.offset, message: "expected a value, field or function call, found \(describeCurrent())")
        }
    }

    private mutating func path(first: String, start: ExpressionToken) throws(ExpressionError) -> ExpressionSyntax {
        var components = [first]
        var end = start.offset + start.length
        while current.kind == .dot {
            _ = advance()
            switch current.kind {
            case .identifier(let n), .quotedIdentifier(let n):
                components.append(n)
            case .keyword(let k):
                // Keywords are fine after a dot: `stats.null` cannot be misread.
                components.append(k.rawValue)
            default:
                throw ExpressionError(offset: current.offset, message: "expected a field name after '.', found \(describeCurrent())")
            }
            let t = advance()
            end = t.offset + t.length
        }
        if current.kind == .leftParen {
            throw ExpressionError(offset: current.offset, message: "'\(components.joined(separator: "."))' is a field, not a function")
        }
        return ExpressionSyntax(kind: .field(FieldPath(components)), start: start.offset, end: end)
    }

    private mutating func call(name: String, at t: ExpressionToken) throws(ExpressionError) -> ExpressionSyntax {
        _ = advance() // (
        try nest()
        defer { depth -= 1 }
        var arguments: [ExpressionSyntax] = []
        if current.kind != .rightParen {
            while true {
                arguments.append(try expression())
                if current.kind == .comma { _ = advance(); continue }
                break
            }
        }
        guard current.kind == .rightParen else {
            throw ExpressionError(offset: current.offset,
                                  message: "expected ',' or ')' in the arguments of \(name)(), found \(describeCurrent())")
        }
        let close = advance()
        return ExpressionSyntax(kind: .call(name: name, arguments: arguments), start: t.offset, end: close.offset + 1)
    }
}
