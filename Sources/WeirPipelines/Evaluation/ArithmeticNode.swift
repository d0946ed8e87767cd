import WeirEngine
import WeirFormats

/// `+ - * / %`. Int op Int stays Int (overflow is an error, `/` truncates
/// toward zero); a decimal operand makes the result decimal; `+` on two
/// strings concatenates; null or missing operands give null.
final class ArithmeticNode: RowExpression {
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
        return try Arithmetic.apply(op, l, r, &row, source)
    }
}

enum Arithmetic {
    @inline(__always)
    static func apply(_ op: BinaryOperator, _ l: Cell, _ r: Cell, _ row: inout Row,
                      _ source: String) throws(EvalError) -> Cell {
        switch (l, r) {
        case let (.int(a), .int(b)): return try ints(op, a, b, source)
        case let (.int(a), .double(b)): return try doubles(op, Double(a), b, source)
        case let (.double(a), .int(b)): return try doubles(op, a, Double(b), source)
        case let (.double(a), .double(b)): return try doubles(op, a, b, source)
        case let (.string(a), .string(b)) where op == .add:
            return .string(ArenaText.concat(a, b, &row))
        default:
            if l.isNullish || r.isNullish { return .null }
            throw mismatch(op, l, r, source)
        }
    }

    static func mismatch(_ op: BinaryOperator, _ l: Cell, _ r: Cell, _ source: String) -> EvalError {
        var m = "type mismatch: cannot apply '\(op.rawValue)' to \(CellDescription.typeName(l)) and \(CellDescription.typeName(r)) in `\(source)`"
        if op == .add, case .string = l { m += " (use concat() or toString() to join text and numbers)" }
        else if op == .add, case .string = r { m += " (use concat() or toString() to join text and numbers)" }
        return EvalError(m)
    }

    @inline(__always)
    static func ints(_ op: BinaryOperator, _ a: Int64, _ b: Int64, _ source: String) throws(EvalError) -> Cell {
        let (v, overflow): (Int64, Bool)
        switch op {
        case .add: (v, overflow) = a.addingReportingOverflow(b)
        case .subtract: (v, overflow) = a.subtractingReportingOverflow(b)
        case .multiply: (v, overflow) = a.multipliedReportingOverflow(by: b)
        case .divide:
            if b == 0 { throw EvalError("division by zero in `\(source)`") }
            (v, overflow) = a.dividedReportingOverflow(by: b)
        case .remainder:
            if b == 0 { throw EvalError("division by zero in `\(source)`") }
            // Int64.min % -1 is mathematically 0; Swift reports it as overflow.
            (v, overflow) = b == -1 ? (0, false) : a.remainderReportingOverflow(dividingBy: b)
        default:
            return .null
        }
        if overflow { throw EvalError("integer overflow in `\(source)` (\(a) \(op.rawValue) \(b))") }
        return .int(v)
    }

    @inline(__always)
    static func doubles(_ op: BinaryOperator, _ a: Double, _ b: Double, _ source: String) throws(EvalError) -> Cell {
        let v: Double
        switch op {
        case .add: v = a + b
        case .subtract: v = a - b
        case .multiply: v = a * b
        case .divide:
            if b == 0 { throw EvalError("division by zero in `\(source)`") }
            v = a / b
        case .remainder:
            if b == 0 { throw EvalError("division by zero in `\(source)`") }
            v = a.truncatingRemainder(dividingBy: b)
        default:
            return .null
        }
        // JSON has no infinity or NaN, so an out-of-range result is an error.
        if !v.isFinite { throw EvalError("numeric overflow in `\(source)`: result is not a finite number") }
        return .double(v)
    }
}

/// Unary minus.
final class NegateNode: RowExpression {
    let operand: RowExpression
    let source: String
    init(_ operand: RowExpression, source: String) { self.operand = operand; self.source = source }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        let v = try operand.evaluate(&row)
        switch v {
        case .int(let i):
            if i == .min { throw EvalError("integer overflow in `\(source)`") }
            return .int(-i)
        case .double(let d): return .double(-d)
        case .missing, .null: return .null
        default:
            throw EvalError("type mismatch: cannot negate \(CellDescription.typeName(v)) in `\(source)`")
        }
    }
}
