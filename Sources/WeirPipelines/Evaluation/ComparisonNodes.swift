import WeirEngine
import WeirFormats

/// `== != < <= > >=`. Numbers compare by value (Int with Decimal exactly),
/// strings byte-wise, booleans only for (in)equality. A null or missing operand
/// makes every comparison false (`is null` tests for null).
final class ComparisonNode: RowExpression {
    let op: BinaryOperator
    let lhs: RowExpression
    let rhs: RowExpression
    let source: String

    init(_ op: BinaryOperator, _ lhs: RowExpression, _ rhs: RowExpression, source: String) {
        self.op = op; self.lhs = lhs; self.rhs = rhs; self.source = source
    }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        let l = try lhs.evaluate(&row)
        let r = try rhs.evaluate(&row)
        return .bool(try Comparison.test(op, l, r, &row, source))
    }
}

enum Comparison {
    @inline(__always)
    static func holds(_ op: BinaryOperator, _ order: Int) -> Bool {
        switch op {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        default: return false
        }
    }

    @inline(__always)
    static func test(_ op: BinaryOperator, _ l: Cell, _ r: Cell, _ row: inout Row,
                     _ source: String) throws(EvalError) -> Bool {
        switch (l, r) {
        case let (.int(a), .int(b)): return holds(op, NumericCompare.compare(a, b))
        case let (.double(a), .double(b)): return holds(op, NumericCompare.compare(a, b))
        case let (.int(a), .double(b)): return holds(op, NumericCompare.compare(a, b))
        case let (.double(a), .int(b)): return holds(op, -NumericCompare.compare(b, a))
        case let (.string(a), .string(b)):
            if op == .equal { return ArenaText.equal(a, b, &row) }
            if op == .notEqual { return !ArenaText.equal(a, b, &row) }
            return holds(op, ArenaText.compare(a, b, &row))
        case let (.bool(a), .bool(b)):
            if op == .equal { return a == b }
            if op == .notEqual { return a != b }
            throw EvalError("type mismatch: booleans can only be compared with == and != in `\(source)`")
        default:
            if l.isNullish || r.isNullish { return false }
            throw EvalError("type mismatch: cannot compare \(CellDescription.typeName(l)) with \(CellDescription.typeName(r)) in `\(source)`")
        }
    }
}

/// The common filter shape `field op constant`, without evaluating (or copying
/// into the arena) the constant.
final class FieldConstantComparisonNode: RowExpression {
    enum Constant {
        case int(Int64), double(Double), string([UInt8]), bool(Bool)
    }

    let slot: Int
    let op: BinaryOperator
    let constant: Constant
    let source: String

    init(slot: Int, _ op: BinaryOperator, _ constant: Constant, source: String) {
        self.slot = slot; self.op = op; self.constant = constant; self.source = source
    }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        let v = row.cells[slot]
        switch (v, constant) {
        case let (.int(a), .int(b)): return .bool(Comparison.holds(op, NumericCompare.compare(a, b)))
        case let (.int(a), .double(b)): return .bool(Comparison.holds(op, NumericCompare.compare(a, b)))
        case let (.double(a), .double(b)): return .bool(Comparison.holds(op, NumericCompare.compare(a, b)))
        case let (.double(a), .int(b)): return .bool(Comparison.holds(op, -NumericCompare.compare(b, a)))
        case let (.string(a), .string(b)):
            if op == .equal, Int(a.count) != b.count { return .bool(false) }
            if op == .notEqual, Int(a.count) != b.count { return .bool(true) }
            return .bool(Comparison.holds(op, ArenaText.compare(a, b, &row)))
        case let (.bool(a), .bool(b)):
            if op == .equal { return .bool(a == b) }
            if op == .notEqual { return .bool(a != b) }
            throw EvalError("type mismatch: booleans can only be compared with == and != in `\(source)`")
        default:
            if v.isNullish { return .bool(false) }
            throw EvalError("type mismatch: cannot compare \(CellDescription.typeName(v)) with \(constantTypeName) in `\(source)`")
        }
    }

    private var constantTypeName: String {
        switch constant {
        case .int: return "integer"
        case .double: return "decimal"
        case .string: return "string"
        case .bool: return "boolean"
        }
    }
}
