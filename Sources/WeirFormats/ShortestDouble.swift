/// The shortest text that reads back as the same Double (`12.5`, `0.1`,
/// `1e+20`), without allocating.
///
/// yajl's own `yajl_gen_double` prints "%.20g" (`12.339999999999999858`).
/// Swift's `Double.description` is the shortest round-trip form, but builds a
/// String (heap-allocated past 15 bytes). `Double.write(to:)` hands its digits
/// to the stream's `_writeASCII`, which this fixed-size stream implements to
/// copy them in place. Should a future standard library call `write(_:)`
/// instead, the text is still correct, only allocated.
struct ShortestDouble: TextOutputStream {
    private var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)   // longest form is 24 bytes
    private(set) var count = 0

    init(_ value: Double) {
        if !writeShortDecimal(value) { value.write(to: &self) }
    }
    /// A Float's own shortest text (`12.34`, not the widened `12.340000152587891`).
    init(_ value: Float) { value.write(to: &self) }

    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        append(UnsafeRawBufferPointer(buffer))
    }

    mutating func write(_ string: String) {
        var s = string
        s.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer) {
        let n = min(bytes.count, 32 - count)
        guard n > 0, let source = bytes.baseAddress else { return }
        let at = count
        withUnsafeMutableBytes(of: &storage) { $0.baseAddress.map { ($0 + at).copyMemory(from: source, byteCount: n) } }
        count += n
    }

    /// The common case of data like amounts (`645.29`): a value that is the
    /// double nearest to a decimal with 1 to 4 fractional digits, written
    /// directly (Swift's general shortest-digits algorithm was ~4% of the
    /// windows benchmark). Only where Swift writes the same text: plain
    /// notation (0.001 ≤ |x| < 1e11) and the fewest fractional digits that
    /// read back as `value` — below 1e11 one ulp is under 10^-4, so at most
    /// one such decimal exists per scale, the one `round` finds. Returns false
    /// (nothing written) otherwise; integral values keep Swift's `100.0`.
    private mutating func writeShortDecimal(_ value: Double) -> Bool {
        let x = value.magnitude
        guard x >= 0.001 && x < 1e11 else { return false }
        var scale = 1
        var p = 10.0
        while scale <= 4 {
            let m = (x * p).rounded()
            if m / p == x {
                var units = Int64(m)
                guard units % 10 != 0 else { return false }   // integral, or found at a smaller scale: not ours
                // Digits from the end: fraction, point, integer part, sign.
                var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
                var n = 0
                withUnsafeMutableBytes(of: &digits) { raw in
                    guard let out = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
                    var i = 24
                    for _ in 0..<scale { i -= 1; out[i] = UInt8(ascii: "0") &+ UInt8(units % 10); units /= 10 }
                    i -= 1; out[i] = UInt8(ascii: ".")
                    repeat { i -= 1; out[i] = UInt8(ascii: "0") &+ UInt8(units % 10); units /= 10 } while units != 0
                    if value < 0 { i -= 1; out[i] = UInt8(ascii: "-") }
                    n = 24 - i
                    append(UnsafeRawBufferPointer(start: out + i, count: n))
                }
                return n > 0
            }
            scale += 1
            p *= 10
        }
        return false
    }

    /// Calls `body` with the text's bytes.
    func withBytes<R>(_ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self), count)   // a tuple's address is never nil
        }
    }
}
