import WeirEngine
import WeirFormats

/// Boolean operators use SQL's three-valued logic: null is "unknown", so
/// `false and null` is false, `true or null` is true, and `true and null` is
/// null (which a filter drops). Evaluation stops as soon as the answer is known.
enum Logic {
    /// The operand as true/false/unknown(nil); anything else is an error.
    @inline(__always)
    static func truth(_ cell: Cell, _ what: String, _ source: String) throws(EvalError) -> Bool? {
        switch cell {
        case .bool(let b): return b
        case .missing, .null: return nil
        default:
            throw EvalError("type mismatch: '\(what)' needs booleans, found \(CellDescription.typeName(cell)) in `\(source)`")
        }
    }
}

final class AndNode: RowExpression {
    let lhs: RowExpression
    let rhs: RowExpression
    let source: String
    init(_ lhs: RowExpression, _ rhs: RowExpression, source: String) { self.lhs = lhs; self.rhs = rhs; self.source = source }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        let l = try Logic.truth(try lhs.evaluate(&row), "and", source)
        if l == false { return .bool(false) }
        let r = try Logic.truth(try rhs.evaluate(&row), "and", source)
        if r == false { return .bool(false) }
        return l == nil || r == nil ? .null : .bool(true)
    }
}

final class OrNode: RowExpression {
    let lhs: RowExpression
    let rhs: RowExpression
    let source: String
    init(_ lhs: RowExpression, _ rhs: RowExpression, source: String) { self.lhs = lhs; self.rhs = rhs; self.source = source }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        let l = try Logic.truth(try lhs.evaluate(&row), "or", source)
        if l == true { return .bool(true) }
        let r = try Logic.truth(try rhs.evaluate(&row), "or", source)
        if r == true { return .bool(true) }
        return l == nil || r == nil ? .null : .bool(false)
    }
}

final class NotNode: RowExpression {
    let operand: RowExpression
    let source: String
    init(_ operand: RowExpression, source: String) { self.operand = operand; self.source = source }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        guard let b = try Logic.truth(try operand.evaluate(&row), "not", source) else { return .null }
        return .bool(!b)
    }
}

/// `x is null` / `x is not null` (also `x == null`, `x != null`): missing
/// fields count as null.
final class IsNullNode: RowExpression {
    let operand: RowExpression
    let negated: Bool
    init(_ operand: RowExpression, negated: Bool) { self.operand = operand; self.negated = negated }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        .bool(try operand.evaluate(&row).isNullish != negated)
    }
}
