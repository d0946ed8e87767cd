#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WeirEngine
import WeirFormats

/// Conversions between text and numbers.

/// `toString(x)`: text of a number or boolean; strings unchanged; objects and
/// arrays as their JSON text.
final class ToStringNode: RowExpression {
    let argument: RowExpression
    init(_ argument: RowExpression) { self.argument = argument }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        let v = try argument.evaluate(&row)
        guard let span = ArenaText.text(of: v, &row) else { return .null }
        return .string(span)
    }
}

/// `toInt(x)`: decimals truncate toward zero; strings must hold an integer
/// (surrounding whitespace allowed); booleans give 1 and 0.
final class ToIntNode: RowExpression {
    let argument: RowExpression
    let source: String
    init(_ argument: RowExpression, source: String) { self.argument = argument; self.source = source }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        let v = try argument.evaluate(&row)
        switch v {
        case .int: return v
        case .double(let d):
            if !d.isFinite { throw EvalError("bad argument: toInt cannot convert \(d) in `\(source)`") }
            return .int(try Integral.exact(d.rounded(.towardZero), source))
        case .bool(let b): return .int(b ? 1 : 0)
        case .string(let s):
            if let i = NumberText.parseInt(s, &row) { return .int(i) }
            throw EvalError("bad argument: toInt: \(CellDescription.show(v, &row)) is not an integer in `\(source)`")
        case .missing, .null: return .null
        case .json: throw FunctionArguments.wrongType("toInt", "a number, string or boolean", v, source)
        }
    }
}

/// `toDouble(x)`: integers widen; strings must hold a decimal number.
final class ToDoubleNode: RowExpression {
    let argument: RowExpression
    let source: String
    init(_ argument: RowExpression, source: String) { self.argument = argument; self.source = source }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        let v = try argument.evaluate(&row)
        switch v {
        case .int(let i): return .double(Double(i))
        case .double: return v
        case .bool(let b): return .double(b ? 1 : 0)
        case .string(let s):
            if let d = NumberText.parseDouble(s, &row) { return .double(d) }
            throw EvalError("bad argument: toDouble: \(CellDescription.show(v, &row)) is not a number in `\(source)`")
        case .missing, .null: return .null
        case .json: throw FunctionArguments.wrongType("toDouble", "a number, string or boolean", v, source)
        }
    }
}

/// Number parsing straight from arena bytes.
enum NumberText {
    /// `[+-]digits`, trimmed of ASCII whitespace; nil if malformed or too large.
    static func parseInt(_ s: ByteSpan, _ row: inout Row) -> Int64? {
        var i = Int(s.start)
        var end = ArenaText.end(s)
        while i < end, CodePoints.isSpace(row.arena[i]) { i += 1 }
        while end > i, CodePoints.isSpace(row.arena[end - 1]) { end -= 1 }
        var negative = false
        if i < end, row.arena[i] == UInt8(ascii: "-") || row.arena[i] == UInt8(ascii: "+") {
            negative = row.arena[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < end else { return nil }
        var magnitude: UInt64 = 0
        while i < end {
            let b = row.arena[i]
            guard b >= 0x30, b <= 0x39 else { return nil }
            let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(UInt64(b - 0x30))
            if o1 || o2 { return nil }
            magnitude = m2
            i += 1
        }
        if negative {
            if magnitude > UInt64(Int64.max) + 1 { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        return magnitude > UInt64(Int64.max) ? nil : Int64(magnitude)
    }

    /// A decimal number (`12`, `-1.5`, `2e3`), trimmed of ASCII whitespace;
    /// nil if malformed or not finite. Parsed with strtod from a stack copy.
    static func parseDouble(_ s: ByteSpan, _ row: inout Row) -> Double? {
        var i = Int(s.start)
        var end = ArenaText.end(s)
        while i < end, CodePoints.isSpace(row.arena[i]) { i += 1 }
        while end > i, CodePoints.isSpace(row.arena[end - 1]) { end -= 1 }
        let n = end - i
        guard n > 0, n < 400 else { return nil }
        var digits = 0
        for k in i..<end {
            let b = row.arena[k]
            switch b {
            case 0x30...0x39: digits += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): break
            default: return nil
            }
        }
        guard digits > 0 else { return nil }
        let start = i
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buffer -> Double? in
            guard let base = buffer.baseAddress else { return nil }
            for k in 0..<n { buffer[k] = CChar(bitPattern: row.arena[start + k]) }
            buffer[n] = 0
            var stop: UnsafeMutablePointer<CChar>?
            let d = strtod(base, &stop)
            guard let stop, stop == base + n, d.isFinite else { return nil }
            return d
        }
    }
}
