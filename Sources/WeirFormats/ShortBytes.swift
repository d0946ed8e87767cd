#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-string equality tuned for the short strings of the per-record path
/// (JSON keys, keyed-state keys): up to 16 bytes without a `memcmp` call,
/// whose call overhead was most of the cost at these sizes.
public enum ShortBytes {
    @inline(__always)
    public static func equal(_ p: UnsafeRawPointer, _ q: UnsafeRawPointer, count n: Int) -> Bool {
        if n >= 8 && n <= 16 {
            // Two overlapping word loads cover every byte.
            return p.loadUnaligned(as: UInt64.self) == q.loadUnaligned(as: UInt64.self)
                && (p + n - 8).loadUnaligned(as: UInt64.self) == (q + n - 8).loadUnaligned(as: UInt64.self)
        }
        if n < 8 {
            var i = 0
            while i < n {
                if p.load(fromByteOffset: i, as: UInt8.self) != q.load(fromByteOffset: i, as: UInt8.self) { return false }
                i += 1
            }
            return true
        }
        return memcmp(p, q, n) == 0
    }
}
