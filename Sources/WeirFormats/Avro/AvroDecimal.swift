/// Avro `decimal`: a big-endian two's-complement unscaled integer and a scale
/// from the schema. Up to 16 bytes (128 bits, 38 digits) are supported.
enum AvroDecimal {
    /// The unscaled value, nil when wider than 128 bits.
    static func unscaled(_ p: UnsafePointer<UInt8>, count: Int) -> Int128? {
        guard count > 0 else { return 0 }
        guard count <= 16 else { return nil }
        var v: Int128 = p[0] >= 0x80 ? -1 : 0          // sign extension
        var i = 0
        while i < count { v = (v << 8) | Int128(p[i]); i += 1 }
        return v
    }

    /// Writes the exact decimal text (`-12.34`, `0.005`, `7`) through `out`, without allocating.
    static func write(_ unscaled: Int128, scale: Int, _ out: (UInt8) -> Void) {
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)   // 48 bytes ≥ 39 digits
        withUnsafeMutableBytes(of: &digits) { raw in
            let d = raw.bindMemory(to: UInt8.self)
            var m = unscaled.magnitude
            var n = 0
            repeat { d[n] = UInt8(truncatingIfNeeded: m % 10); m /= 10; n += 1 } while m > 0 && n < 48
            // Index loops, not stride: unoptimized builds heap-allocate generic iterators.
            if unscaled < 0 { out(UInt8(ascii: "-")) }
            var i = n - 1
            if scale <= 0 {
                while i >= 0 { out(48 + d[i]); i -= 1 }
                return
            }
            if n <= scale { out(UInt8(ascii: "0")) }                 // integer part
            else { while i >= scale { out(48 + d[i]); i -= 1 } }
            out(UInt8(ascii: "."))
            i = scale - 1
            while i >= 0 { out(i < n ? 48 + d[i] : UInt8(ascii: "0")); i -= 1 }
        }
    }

    static let powersOfTen: [Double] = (0...22).map { e in (0..<e).reduce(1.0) { a, _ in a * 10 } }

    /// As a Double: exact-to-read when precision ≤ 15 (the unscaled value and
    /// 10^scale are exact doubles, and one division rounds correctly).
    static func double(_ unscaled: Int128, scale: Int) -> Double {
        if scale >= 0 && scale <= 22 { return Double(unscaled) / powersOfTen[scale] }
        var d = Double(unscaled)
        for _ in 0..<max(scale, 0) { d /= 10 }
        return d
    }
}
