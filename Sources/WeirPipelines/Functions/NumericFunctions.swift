import WeirEngine
import WeirFormats

/// Numeric functions. `round(x)`, `floor(x)` and `ceil(x)` of a decimal give
/// an integer (an error when it does not fit in 64 bits); `round(x, digits)`
/// keeps the operand's type. Halves round away from zero, as in SQL.

/// `abs(x)`.
final class AbsNode: RowExpression {
    let argument: RowExpression
    let source: String
    init(_ argument: RowExpression, source: String) { self.argument = argument; self.source = source }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        let v = try argument.evaluate(&row)
        switch v {
        case .int(let i):
            if i == .min { throw EvalError("integer overflow in `\(source)`") }
            return .int(i < 0 ? -i : i)
        case .double(let d): return .double(abs(d))
        case .missing, .null: return .null
        default: throw FunctionArguments.wrongType("abs", "a number", v, source)
        }
    }
}

/// `floor(x)`, `ceil(x)` and one-argument `round(x)`.
final class IntegralNode: RowExpression {
    enum Mode: String { case floor, ceil, round }
    let mode: Mode
    let argument: RowExpression
    let source: String

    init(_ mode: Mode, _ argument: RowExpression, source: String) {
        self.mode = mode; self.argument = argument; self.source = source
    }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        let v = try argument.evaluate(&row)
        switch v {
        case .int: return v
        case .double(let d):
            let rule: FloatingPointRoundingRule
            switch mode {
            case .floor: rule = .down
            case .ceil: rule = .up
            case .round: rule = .toNearestOrAwayFromZero
            }
            return .int(try Integral.exact(d.rounded(rule), source))
        case .missing, .null: return .null
        default: throw FunctionArguments.wrongType(mode.rawValue, "a number", v, source)
        }
    }
}

/// `round(x, digits)`: digits after the decimal point (negative: to tens,
/// hundreds, …).
final class RoundDigitsNode: RowExpression {
    let argument: RowExpression
    let digits: RowExpression
    let source: String

    init(_ argument: RowExpression, digits: RowExpression, source: String) {
        self.argument = argument; self.digits = digits; self.source = source
    }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        let v = try argument.evaluate(&row)
        guard let n = try FunctionArguments.int(try digits.evaluate(&row), "round", source) else { return .null }
        switch v {
        case .int(let i):
            if n >= 0 { return .int(i) }
            if n < -18 { return .int(0) }
            var scale: Int64 = 1
            for _ in 0..<(-n) { scale *= 10 }
            let q = i / scale, r = i % scale
            var rounded = q
            if r.magnitude * 2 >= scale.magnitude { rounded += i < 0 ? -1 : 1 }
            let (result, overflow) = rounded.multipliedReportingOverflow(by: scale)
            if overflow { throw EvalError("integer overflow in `\(source)`") }
            return .int(result)
        case .double(let d):
            // Past 17 digits a Double has nothing left to round.
            if n > 17 { return .double(d) }
            if n < -308 { return .double(0) }
            let scale = pow10(Int(n.magnitude))
            let r = n >= 0 ? (d * scale).rounded(.toNearestOrAwayFromZero) / scale
                           : (d / scale).rounded(.toNearestOrAwayFromZero) * scale
            if !r.isFinite {
                // d * scale overflowed: d is too large to have those digits.
                return .double(d)
            }
            return .double(r)
        case .missing, .null: return .null
        default: throw FunctionArguments.wrongType("round", "a number", v, source)
        }
    }

    private func pow10(_ n: Int) -> Double {
        var s = 1.0
        for _ in 0..<n { s *= 10 }
        return s
    }
}

enum Integral {
    /// A whole Double as Int64, or an overflow error.
    static func exact(_ d: Double, _ source: String) throws(EvalError) -> Int64 {
        guard d >= -0x1p63, d < 0x1p63 else {
            throw EvalError("integer overflow in `\(source)`: \(d) does not fit in 64 bits")
        }
        return Int64(d)
    }
}
