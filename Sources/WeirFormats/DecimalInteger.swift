/// An Int64's decimal text, built on the stack.
///
/// yajl's `yajl_gen_integer` formats with `sprintf("%lld")`, which was ~1% of
/// the windows benchmark (two integers per result row); this writes the
/// digits directly and the encoder hands them to `yajl_gen_number`.
struct DecimalInteger {
    private var storage: (UInt64, UInt64, UInt64) = (0, 0, 0)   // "-9223372036854775808" is 20 bytes
    private(set) var count = 0

    init(_ value: Int64) {
        withUnsafeMutableBytes(of: &storage) { raw in
            guard let out = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            // Digits from the end of the buffer, then moved to its start.
            var v = value.magnitude
            var i = 24
            // Two digits per step: half the dependent divisions of one per digit.
            while v >= 100 {
                let r = UInt8(truncatingIfNeeded: v % 100)
                v /= 100
                out[i - 1] = UInt8(ascii: "0") &+ r % 10
                out[i - 2] = UInt8(ascii: "0") &+ r / 10
                i -= 2
            }
            repeat {
                i -= 1
                out[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10)
                v /= 10
            } while v != 0
            if value < 0 { i -= 1; out[i] = UInt8(ascii: "-") }
            let n = 24 - i
            var j = 0
            while j < n { out[j] = out[i + j]; j += 1 }   // leftwards, so a forward copy is safe
            count = n
        }
    }

    /// Calls `body` with the text's bytes.
    func withBytes<R>(_ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self), count)   // a tuple's address is never nil
        }
    }
}
