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

    init(_ value: Double) { value.write(to: &self) }
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

    /// Calls `body` with the text's bytes.
    func withBytes<R>(_ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self), count)   // a tuple's address is never nil
        }
    }
}
