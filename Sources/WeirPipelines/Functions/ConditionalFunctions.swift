import WeirEngine
import WeirFormats

/// `if(condition, then, else)`: only the chosen branch is evaluated; a null
/// condition chooses `else`, like a filter would drop the record.
final class IfNode: RowExpression {
    let condition: RowExpression
    let then: RowExpression
    let otherwise: RowExpression
    let source: String

    init(_ condition: RowExpression, _ then: RowExpression, _ otherwise: RowExpression, source: String) {
        self.condition = condition; self.then = then; self.otherwise = otherwise; self.source = source
    }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        let c = try condition.evaluate(&row)
        switch c {
        case .bool(true): return try then.evaluate(&row)
        case .bool(false), .null, .missing: return try otherwise.evaluate(&row)
        default: throw FunctionArguments.wrongType("if", "a boolean condition", c, source)
        }
    }
}

/// `coalesce(a, b, …)`: the first argument that is not null or missing; later
/// arguments are not evaluated.
final class CoalesceNode: RowExpression {
    let arguments: [RowExpression]
    init(_ arguments: [RowExpression]) { self.arguments = arguments }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        for argument in arguments {
            let v = try argument.evaluate(&row)
            if !v.isNullish { return v }
        }
        return .null
    }
}
