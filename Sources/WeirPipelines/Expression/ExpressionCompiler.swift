import WeirEngine
import WeirFormats

/// How the pipeline compiler answers a field reference: the slot holding the
/// field and what it may contain, or why the field cannot be used here.
enum FieldResolution {
    case slot(Int, ValueType)
    case failure(String)
}

/// A value known when the pipeline is loaded.
enum ConstantValue: Equatable {
    case null, bool(Bool), int(Int64), double(Double), string([UInt8])
}

struct CompiledExpression {
    let node: RowExpression
    let type: ValueType
    /// Set when the whole expression folded to a constant.
    let constant: ConstantValue?
}

/// Turns a parsed expression into engine nodes: binds fields to slots, checks
/// kinds where they are known, folds constant sub-expressions and picks
/// specialized nodes for common shapes.
struct ExpressionCompiler {
    let text: [UInt8]
    let resolve: (FieldPath) -> FieldResolution

    init(text: String, resolve: @escaping (FieldPath) -> FieldResolution) {
        self.text = Array(text.utf8)
        self.resolve = resolve
    }

    func compile(_ e: ExpressionSyntax) throws(ExpressionError) -> CompiledExpression {
        switch e.kind {
        case .literal(let l):
            return Self.constant(from: l)

        case .field(let path):
            switch resolve(path) {
            case .slot(let slot, let type):
                return CompiledExpression(node: FieldNode(slot: slot), type: type, constant: nil)
            case .failure(let message):
                throw ExpressionError(offset: e.start, message: message)
            }

        case .negate(let operand):
            let x = try compile(operand)
            if x.type.neverFits(.number) {
                throw ExpressionError(offset: e.start, message: "'-' needs a number, found \(x.type)")
            }
            return try fold(NegateNode(x.node, source: snippet(e)), x.type.intersection([.int, .double, .null]), [x], e)

        case .not(let operand):
            let x = try compile(operand)
            if x.type.neverFits(.bool) {
                throw ExpressionError(offset: operand.start, message: "'not' needs a boolean, found \(x.type)")
            }
            return try fold(NotNode(x.node, source: snippet(e)), ValueType.bool.nullable(if: [x.type]), [x], e)

        case .and(let l, let r), .or(let l, let r):
            let isAnd: Bool
            if case .and = e.kind { isAnd = true } else { isAnd = false }
            let a = try compile(l), b = try compile(r)
            for (x, syntax) in [(a, l), (b, r)] where x.type.neverFits(.bool) {
                throw ExpressionError(offset: syntax.start, message: "'\(isAnd ? "and" : "or")' needs booleans, found \(x.type)")
            }
            let node: RowExpression = isAnd ? AndNode(a.node, b.node, source: snippet(e)) : OrNode(a.node, b.node, source: snippet(e))
            return try fold(node, ValueType.bool.nullable(if: [a.type, b.type]), [a, b], e)

        case .isNull(let operand, let negated):
            let x = try compile(operand)
            return try fold(IsNullNode(x.node, negated: negated), .bool, [x], e)

        case .binary(let op, let l, let r, let opOffset):
            let a = try compile(l), b = try compile(r)
            if op.isComparison { return try comparison(op, a, b, e, opOffset) }
            return try arithmetic(op, a, b, e, opOffset)

        case .call(let name, let arguments):
            return try call(name, arguments, e)
        }
    }

    // MARK: operators

    private func comparison(_ op: BinaryOperator, _ a: CompiledExpression, _ b: CompiledExpression,
                            _ e: ExpressionSyntax, _ opOffset: Int) throws(ExpressionError) -> CompiledExpression {
        // `x == null` is how people write `x is null`; any other comparison with null is always false.
        if a.constant == .null || b.constant == .null {
            guard op == .equal || op == .notEqual else {
                throw ExpressionError(offset: opOffset, message: "'\(op.rawValue)' with null is always false; use 'is null' or 'is not null'")
            }
            let other = a.constant == .null ? b : a
            return try fold(IsNullNode(other.node, negated: op == .notEqual), .bool, [other], e)
        }
        let (l, r) = (a.type.nonNull, b.type.nonNull)
        let compatible = (!l.isDisjoint(with: .number) && !r.isDisjoint(with: .number))
            || (l.contains(.string) && r.contains(.string))
            || (l.contains(.bool) && r.contains(.bool))
        if !compatible, !l.isEmpty, !r.isEmpty {
            throw ExpressionError(offset: opOffset, message: "type mismatch: cannot compare \(l) with \(r)")
        }
        if op != .equal, op != .notEqual, l == .bool || r == .bool {
            throw ExpressionError(offset: opOffset, message: "booleans can only be compared with == and !=")
        }
        let source = snippet(e)
        if a.constant == nil, let field = a.node as? FieldNode, let c = Self.comparable(b.constant) {
            return CompiledExpression(node: FieldConstantComparisonNode(slot: field.slot, op, c, source: source), type: .bool, constant: nil)
        }
        if b.constant == nil, let field = b.node as? FieldNode, let c = Self.comparable(a.constant) {
            return CompiledExpression(node: FieldConstantComparisonNode(slot: field.slot, op.swapped, c, source: source), type: .bool, constant: nil)
        }
        return try fold(ComparisonNode(op, a.node, b.node, source: source), .bool, [a, b], e)
    }

    private static func comparable(_ c: ConstantValue?) -> FieldConstantComparisonNode.Constant? {
        switch c {
        case .int(let v): return .int(v)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        default: return nil
        }
    }

    private func arithmetic(_ op: BinaryOperator, _ a: CompiledExpression, _ b: CompiledExpression,
                            _ e: ExpressionSyntax, _ opOffset: Int) throws(ExpressionError) -> CompiledExpression {
        let (l, r) = (a.type, b.type)
        var t = ValueType()
        if l.contains(.int), r.contains(.int) { t.insert(.int) }
        if !l.isDisjoint(with: .number), !r.isDisjoint(with: .number), l.contains(.double) || r.contains(.double) {
            t.insert(.double)
        }
        if op == .add, l.contains(.string), r.contains(.string) { t.insert(.string) }
        if !l.nonNull.isEmpty, !r.nonNull.isEmpty, t.isEmpty {
            var message = "type mismatch: cannot apply '\(op.rawValue)' to \(l.nonNull) and \(r.nonNull)"
            if op == .add, l.contains(.string) || r.contains(.string) {
                message += "; use concat() to join text and numbers"
            }
            throw ExpressionError(offset: opOffset, message: message)
        }
        if l.contains(.null) || r.contains(.null) { t.insert(.null) }
        return try fold(ArithmeticNode(op, a.node, b.node, source: snippet(e)), t, [a, b], e)
    }

    // MARK: functions

    private func call(_ name: String, _ arguments: [ExpressionSyntax], _ e: ExpressionSyntax) throws(ExpressionError) -> CompiledExpression {
        guard let spec = FunctionCatalog.lookup(name) else {
            throw ExpressionError(offset: e.start, message: "unknown function '\(name)'\(ClosestMatch.hint(for: name, among: FunctionCatalog.names))")
        }
        guard spec.arity.contains(arguments.count) else {
            let expected = spec.arity.lowerBound == spec.arity.upperBound
                ? "\(spec.arity.lowerBound) argument\(spec.arity.lowerBound == 1 ? "" : "s")"
                : spec.arity.upperBound >= 64 ? "at least \(spec.arity.lowerBound) argument\(spec.arity.lowerBound == 1 ? "" : "s")"
                : "\(spec.arity.lowerBound) to \(spec.arity.upperBound) arguments"
            throw ExpressionError(offset: e.start, message: "\(spec.name)() takes \(expected), found \(arguments.count): \(spec.signature)")
        }
        var compiled: [CompiledExpression] = []
        for (i, argument) in arguments.enumerated() {
            let c = try compile(argument)
            let accepted = spec.accepted(at: i)
            if c.type.neverFits(accepted) {
                throw ExpressionError(offset: argument.start,
                                      message: "bad argument \(i + 1) of \(spec.name)(): expected \(accepted), found \(c.type) (\(spec.signature))")
            }
            compiled.append(c)
        }
        let node = spec.make(compiled.map(\.node), snippet(e))
        return try fold(node, spec.result(compiled.map(\.type)), compiled, e)
    }

    // MARK: constants

    static func constant(from literal: ExpressionSyntax.Literal) -> CompiledExpression {
        switch literal {
        case .null: return CompiledExpression(node: ConstantNode(.null), type: .null, constant: .null)
        case .bool(let b): return CompiledExpression(node: ConstantNode(.bool(b)), type: .bool, constant: .bool(b))
        case .int(let v): return CompiledExpression(node: ConstantNode(.int(v)), type: .int, constant: .int(v))
        case .double(let d): return CompiledExpression(node: ConstantNode(.double(d)), type: .double, constant: .double(d))
        case .string(let s): return CompiledExpression(node: StringConstantNode(s), type: .string, constant: .string(s))
        }
    }

    /// Evaluates `node` now when all its operands are constants; an error then
    /// means the expression fails for every record, so it is refused.
    private func fold(_ node: RowExpression, _ type: ValueType, _ operands: [CompiledExpression],
                      _ e: ExpressionSyntax) throws(ExpressionError) -> CompiledExpression {
        guard operands.allSatisfy({ $0.constant != nil }) else {
            return CompiledExpression(node: node, type: type, constant: nil)
        }
        var scratch = Row(slotCount: 0, arenaCapacity: 64)
        let value: Cell
        do {
            value = try node.evaluate(&scratch)
        } catch {
            throw ExpressionError(offset: e.start, message: "this expression fails for every record: \(error.message)")
        }
        switch value {
        case .missing, .null: return Self.constant(from: .null)
        case .bool(let b): return Self.constant(from: .bool(b))
        case .int(let v): return Self.constant(from: .int(v))
        case .double(let d): return Self.constant(from: .double(d))
        case .string(let s), .json(let s):
            return Self.constant(from: .string(scratch.withBytes(s) { Array($0) }))
        }
    }

    private func snippet(_ e: ExpressionSyntax) -> String {
        let start = max(0, min(e.start, text.count)), end = max(start, min(e.end, text.count))
        return String(decoding: text[start..<end], as: UTF8.self)
    }
}
