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

    /// One pass over the text: up to 19 significant digits are accumulated
    /// exactly (10^19 < 2^64), which decides both the Int64 case and Clinger's
    /// fast path; anything longer or larger goes to `strtod`.
    static func parse(_ text: UnsafePointer<UInt8>, count n: Int) -> Cell? {
        guard n > 0 else { return nil }
        var i = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        var mantissa: UInt64 = 0
        var digits = 0                  // significant digits in `mantissa` (leading zeros skipped)
        var exponent = 0                // decimal exponent applied to `mantissa`
        var inexact = false             // more than 19 significant digits
        while i < n, isDigit(text[i]) {
            if digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(text[i] &- 0x30)
                if mantissa != 0 { digits += 1 }
            } else {
                exponent += 1; inexact = true
            }
            i += 1
        }
        if i == n {
            // An integer: exact in Int64 when it fits, else kept as a double.
            if !inexact {
                if !negative, mantissa <= UInt64(Int64.max) { return .int(Int64(mantissa)) }
                if negative, mantissa <= UInt64(Int64.max) + 1 { return .int(Int64(truncatingIfNeeded: 0 &- mantissa)) }
            }
            return slowDouble(text, count: n)
        }
        if text[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, isDigit(text[i]) {
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(text[i] &- 0x30)
                    if mantissa != 0 { digits += 1 }
                    exponent -= 1
                } else {
                    inexact = true
                }
                i += 1
            }
        }
        if i < n, text[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < n, text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+") {
                expNegative = text[i] == UInt8(ascii: "-"); i += 1
            }
            var e = 0
            while i < n, isDigit(text[i]) {
                if e < 100_000 { e = e * 10 + Int(text[i] &- 0x30) }   // saturate: far outside any fast path
                i += 1
            }
            exponent += expNegative ? -e : e
        }
        guard i == n else { return nil }             // yajl's lexer never hands us anything else
        if mantissa == 0, !inexact { return .double(negative ? -0.0 : 0.0) }
        // Clinger: both operands exact, so one IEEE operation rounds correctly.
        if !inexact, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            let m = Double(mantissa)
            let value = exponent >= 0 ? m * powerOfTen(exponent) : m / powerOfTen(-exponent)
            return .double(negative ? -value : value)
        }
        return slowDouble(text, count: n)
    }

    /// 10^e for 0 <= e <= 22, all exactly representable.
    @inline(__always) private static func powerOfTen(_ e: Int) -> Double {
        withUnsafeBytes(of: exactPowersOfTen) { $0.load(fromByteOffset: e &* 8, as: Double.self) }
    }

    private static let exactPowersOfTen: (Double, Double, Double, Double, Double, Double, Double, Double,
                                          Double, Double, Double, Double, Double, Double, Double, Double,
                                          Double, Double, Double, Double, Double, Double, Double) =
        (1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
         1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22)

    /// Correctly rounded conversion of any JSON number, via strtod.
    static func slowDouble(_ text: UnsafePointer<UInt8>, count n: Int) -> Cell? {
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
}

/// The "C" locale for numeric conversion, made once per process.
private let cNumericLocale: locale_t? = newlocale(Int32(1) << LC_NUMERIC, "C", nil)
