import Glibc

/// Turns the text of a JSON number (already validated by yajl's lexer) into a
/// cell, keeping integers and doubles apart.
///
/// The parser registers yajl's `yajl_number` callback instead of its integer
/// and double callbacks: yajl would otherwise fail the whole document on an
/// integer beyond Int64, and would convert numbers the pipeline never reads.
/// Integers that fit Int64 become `.int`; larger ones fall back to `.double`
/// (as most JSON readers do). Doubles use Clinger's exact fast path when the
/// digits fit 2^53 and the power of ten is exact, else `strtod` in the C
/// locale. A value beyond Double's range returns nil (the record is refused).
enum JSONNumber {
    @inline(__always) private static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

    static func parse(_ text: UnsafePointer<UInt8>, count n: Int) -> Cell? {
        guard n > 0 else { return nil }
        var i = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        // Integer part, accumulated exactly while it fits.
        var magnitude: UInt64 = 0
        var fits = true
        let digitsStart = i
        while i < n, isDigit(text[i]) {
            let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(UInt64(text[i] &- 0x30))
            if o1 || o2 { fits = false }
            magnitude = m2
            i += 1
        }
        if i == n, i > digitsStart {
            if fits {
                if !negative, magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
                if negative, magnitude <= UInt64(Int64.max) + 1 { return .int(Int64(truncatingIfNeeded: 0 &- magnitude)) }
            }
            return parseDouble(text, count: n)        // integer beyond Int64: keep it as a double
        }
        return parseDouble(text, count: n)
    }

    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    static func parseDouble(_ text: UnsafePointer<UInt8>, count n: Int) -> Cell? {
        if let fast = clingerFastPath(text, count: n) { return .double(fast) }
        let value = withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buffer -> Double in
            guard let b = buffer.baseAddress else { return .nan }
            UnsafeMutableRawPointer(b).copyMemory(from: text, byteCount: n)
            b[n] = 0
            // JSON's decimal point is '.', whatever locale the process runs in.
            let previous = uselocale(cNumericLocale)
            defer { uselocale(previous) }
            return strtod(b, nil)
        }
        guard value.isFinite else { return nil }
        return .double(value)
    }

    /// Exact when the significant digits fit in 2^53 and the decimal exponent
    /// is within ±22: one IEEE multiply/divide of two exact values rounds correctly.
    private static func clingerFastPath(_ text: UnsafePointer<UInt8>, count n: Int) -> Double? {
        var i = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        while i < n, isDigit(text[i]) {
            if mantissa != 0 || text[i] != 0x30 {
                if digits == 19 { return nil }
                mantissa = mantissa &* 10 &+ UInt64(text[i] &- 0x30); digits += 1
            }
            i += 1
        }
        if i < n, text[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, isDigit(text[i]) {
                if mantissa != 0 || text[i] != 0x30 {
                    if digits == 19 { return nil }
                    mantissa = mantissa &* 10 &+ UInt64(text[i] &- 0x30); digits += 1
                }
                exponent -= 1
                i += 1
            }
        }
        if i < n, text[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < n, text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+") { expNegative = text[i] == UInt8(ascii: "-"); i += 1 }
            var e = 0
            while i < n, isDigit(text[i]) {
                if e > 100_000 { return nil }           // far outside the fast path anyway
                e = e * 10 + Int(text[i] &- 0x30)
                i += 1
            }
            exponent += expNegative ? -e : e
        }
        guard i == n else { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        guard mantissa <= 1 << 53, exponent >= -22, exponent <= 22 else { return nil }
        let m = Double(mantissa)
        let value = exponent >= 0 ? m * exactPowersOfTen[exponent] : m / exactPowersOfTen[-exponent]
        return negative ? -value : value
    }
}

/// The "C" locale for numeric conversion, made once per process.
private let cNumericLocale: locale_t? = newlocale(Int32(1) << LC_NUMERIC, "C", nil)
