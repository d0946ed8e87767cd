import WeirEngine
import WeirFormats

/// String functions. Lengths and positions count Unicode code points; results
/// are spans of the argument where possible (substring, trim), else written
/// to the arena. All return null for a null argument.

/// `lower(s)`, `upper(s)`: ASCII text is mapped byte by byte (and returned as
/// is when already in the right case); other text takes Swift's Unicode case
/// mapping, which allocates.
final class CaseMappingNode: RowExpression {
    let upper: Bool
    let argument: RowExpression
    let source: String

    init(upper: Bool, _ argument: RowExpression, source: String) {
        self.upper = upper; self.argument = argument; self.source = source
    }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        guard let s = try FunctionArguments.string(try argument.evaluate(&row), upper ? "upper" : "lower", source) else {
            return .null
        }
        let from: UInt8 = upper ? UInt8(ascii: "a") : UInt8(ascii: "A")
        let to: UInt8 = from + 25
        var needsChange = false
        var i = Int(s.start)
        let end = ArenaText.end(s)
        while i < end {
            let b = row.arena[i]
            if b >= 0x80 { return .string(unicode(s, &row)) }
            if b >= from && b <= to { needsChange = true }
            i += 1
        }
        if !needsChange { return .string(s) }
        let start = row.arena.count
        i = Int(s.start)
        while i < end {
            let b = row.arena[i]
            row.arena.append(b >= from && b <= to ? b ^ 0x20 : b)
            i += 1
        }
        return .string(ByteSpan(start: start, count: row.arena.count - start))
    }

    private func unicode(_ s: ByteSpan, _ row: inout Row) -> ByteSpan {
        let text = row.string(s)
        return row.store((upper ? text.uppercased() : text.lowercased()).utf8)
    }
}

/// `length(s)`: number of Unicode code points.
final class LengthNode: RowExpression {
    let argument: RowExpression
    let source: String
    init(_ argument: RowExpression, source: String) { self.argument = argument; self.source = source }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        guard let s = try FunctionArguments.string(try argument.evaluate(&row), "length", source) else { return .null }
        return .int(Int64(CodePoints.count(s, &row)))
    }
}

/// `trim(s)`: without leading and trailing ASCII whitespace (a sub-span, no copy).
final class TrimNode: RowExpression {
    let argument: RowExpression
    let source: String
    init(_ argument: RowExpression, source: String) { self.argument = argument; self.source = source }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        guard let s = try FunctionArguments.string(try argument.evaluate(&row), "trim", source) else { return .null }
        var start = Int(s.start)
        var end = ArenaText.end(s)
        while start < end, CodePoints.isSpace(row.arena[start]) { start += 1 }
        while end > start, CodePoints.isSpace(row.arena[end - 1]) { end -= 1 }
        return .string(ByteSpan(start: start, count: end - start))
    }
}

/// `substring(s, start[, length])`: 1-based start in code points, as in SQL.
/// A start past the end gives ''; start < 1 or a negative length is an error.
final class SubstringNode: RowExpression {
    let text: RowExpression
    let start: RowExpression
    let length: RowExpression?
    let source: String

    init(_ text: RowExpression, _ start: RowExpression, _ length: RowExpression?, source: String) {
        self.text = text; self.start = start; self.length = length; self.source = source
    }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        let s = try FunctionArguments.string(try text.evaluate(&row), "substring", source)
        let from = try FunctionArguments.int(try start.evaluate(&row), "substring", source)
        var count: Int64? = Int64.max
        if let length { count = try FunctionArguments.int(try length.evaluate(&row), "substring", source) }
        guard let s, let from, let count else { return .null }
        if from < 1 { throw EvalError("bad argument: substring start must be 1 or more (positions start at 1), found \(from) in `\(source)`") }
        if count < 0 { throw EvalError("bad argument: substring length must not be negative, found \(count) in `\(source)`") }
        let first = CodePoints.offset(ofCodePoint: from - 1, in: s, &row)
        let rest = ByteSpan(start: first, count: ArenaText.end(s) - first)
        let last = CodePoints.offset(ofCodePoint: count, in: rest, &row)
        return .string(ByteSpan(start: first, count: last - first))
    }
}

/// `contains(s, part)`, `startsWith(s, prefix)`, `endsWith(s, suffix)`.
final class StringSearchNode: RowExpression {
    enum Mode: String { case contains, startsWith, endsWith }
    let mode: Mode
    let text: RowExpression
    let part: RowExpression
    let source: String

    init(_ mode: Mode, _ text: RowExpression, _ part: RowExpression, source: String) {
        self.mode = mode; self.text = text; self.part = part; self.source = source
    }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        let s = try FunctionArguments.string(try text.evaluate(&row), mode.rawValue, source)
        let p = try FunctionArguments.string(try part.evaluate(&row), mode.rawValue, source)
        guard let s, let p else { return .null }
        let mode = self.mode
        return .bool(row.arena.withUnsafeBufferPointer { all -> Bool in
            let hay = UnsafeBufferPointer(rebasing: all[Int(s.start)..<ArenaText.end(s)])
            let needle = UnsafeBufferPointer(rebasing: all[Int(p.start)..<ArenaText.end(p)])
            if needle.count > hay.count { return false }
            switch mode {
            case .startsWith: return matches(hay, needle, at: 0)
            case .endsWith: return matches(hay, needle, at: hay.count - needle.count)
            case .contains:
                var i = 0
                while i + needle.count <= hay.count {
                    if matches(hay, needle, at: i) { return true }
                    i += 1
                }
                return false
            }
        })
    }
}

@inline(__always)
private func matches(_ hay: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
    var j = 0
    while j < needle.count {
        if hay[offset + j] != needle[j] { return false }
        j += 1
    }
    return true
}

/// `concat(a, b, …)`: the text of every argument joined (numbers and booleans
/// as `toString` writes them); null if any argument is null.
final class ConcatNode: RowExpression {
    let arguments: [RowExpression]
    let source: String
    init(_ arguments: [RowExpression], source: String) { self.arguments = arguments; self.source = source }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        var result = ByteSpan(start: row.arena.count, count: 0)
        var sawNull = false
        for argument in arguments {
            let c = try argument.evaluate(&row)
            if sawNull { continue }
            if case .json = c {
                throw FunctionArguments.wrongType("concat", "text, numbers or booleans", c, source)
            }
            if c.isNullish { sawNull = true; continue }
            // Arguments may have written bytes after the result so far: keep
            // the result contiguous at the end of the arena.
            if case .string(let s) = c {
                result = ArenaText.concat(result, s, &row)
                continue
            }
            if result.count == 0 {
                result = ByteSpan(start: row.arena.count, count: 0)
            } else if ArenaText.end(result) != row.arena.count {
                result = ArenaText.appendCopy(result, &row)
            }
            _ = ArenaText.text(of: c, &row)
            result = ByteSpan(start: Int(result.start), count: row.arena.count - Int(result.start))
        }
        return sawNull ? .null : .string(result)
    }
}

/// UTF-8 code point arithmetic on arena spans.
enum CodePoints {
    @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

    static func count(_ s: ByteSpan, _ row: inout Row) -> Int {
        var n = 0
        var i = Int(s.start)
        let end = ArenaText.end(s)
        while i < end {
            if row.arena[i] & 0xC0 != 0x80 { n += 1 }
            i += 1
        }
        return n
    }

    /// Byte offset (in the arena) where code point `index` (0-based) of `s`
    /// starts, or the end of `s` when it has fewer code points.
    static func offset(ofCodePoint index: Int64, in s: ByteSpan, _ row: inout Row) -> Int {
        var remaining = index
        var i = Int(s.start)
        let end = ArenaText.end(s)
        while i < end {
            if row.arena[i] & 0xC0 != 0x80 {
                if remaining == 0 { return i }
                remaining -= 1
            }
            i += 1
        }
        return end
    }
}
