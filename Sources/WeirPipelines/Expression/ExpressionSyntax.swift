import WeirFormats

/// A parsed expression, before fields are bound to slots. Offsets are UTF-8
/// byte offsets into the expression text (for diagnostics).
struct ExpressionSyntax {
    indirect enum Kind {
        case literal(Literal)
        case field(FieldPath)
        case negate(ExpressionSyntax)
        case not(ExpressionSyntax)
        case binary(BinaryOperator, ExpressionSyntax, ExpressionSyntax, operatorOffset: Int)
        case and(ExpressionSyntax, ExpressionSyntax)
        case or(ExpressionSyntax, ExpressionSyntax)
        case isNull(ExpressionSyntax, negated: Bool)
        case call(name: String, arguments: [ExpressionSyntax])
    }

    enum Literal: Equatable {
        case null, bool(Bool), int(Int64), double(Double), string([UInt8])
    }

    var kind: Kind
    /// First byte of the expression and one past its last byte.
    var start: Int
    var end: Int

    /// The field path when this is a bare field reference.
    var fieldPath: FieldPath? {
        if case .field(let p) = kind { return p }
        return nil
    }

    /// Every field path the expression reads, in order of appearance.
    var referencedFields: [FieldPath] {
        var out: [FieldPath] = []
        collectFields(into: &out)
        return out
    }

    private func collectFields(into out: inout [FieldPath]) {
        switch kind {
        case .literal: break
        case .field(let p): out.append(p)
        case .negate(let e), .not(let e), .isNull(let e, _): e.collectFields(into: &out)
        case .binary(_, let l, let r, _), .and(let l, let r), .or(let l, let r):
            l.collectFields(into: &out); r.collectFields(into: &out)
        case .call(_, let args): for a in args { a.collectFields(into: &out) }
        }
    }
}

enum BinaryOperator: String {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

    var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: return true
        default: return false
        }
    }

    /// The same comparison with its operands swapped (`1 < x` is `x > 1`).
    var swapped: BinaryOperator {
        switch self {
        case .less: return .greater
        case .lessOrEqual: return .greaterOrEqual
        case .greater: return .less
        case .greaterOrEqual: return .lessOrEqual
        default: return self
        }
    }
}
