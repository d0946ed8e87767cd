/// A job's id: 32 lowercase hex characters, as Flink's `JobID`, derived from the
/// job's name (FNV-1a, 128 bits), so every instance of a service group agrees on
/// it without talking to the others. The name stays the user's handle; the id
/// is what REST paths and the jobs topic use.
public struct JobID: Hashable, Sendable, CustomStringConvertible, Codable {
    public let hex: String

    public init(name: String) {
        let hash = Self.fnv1a128("weir-job:\(name)".utf8)
        hex = Self.hex(hash.hi) + Self.hex(hash.lo)
    }

    /// FNV-1a with 128 bits: offset basis and prime from the FNV specification.
    static func fnv1a128<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> (hi: UInt64, lo: UInt64) {
        var hash: (hi: UInt64, lo: UInt64) = (0x6c62_272e_07bb_0142, 0x62b8_2175_6295_c58d)
        for byte in bytes {
            hash.lo ^= UInt64(byte)
            hash = multiplyByPrime(hash)
        }
        return hash
    }

    /// An id as written by `description`, or nil when `text` is not 32 lowercase hex characters.
    public init?(parsing text: String) {
        guard text.utf8.count == 32, text.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        hex = text
    }

    public var description: String { hex }

    /// × 2^88 + 0x13b (the 128-bit FNV prime), modulo 2^128.
    private static func multiplyByPrime(_ h: (hi: UInt64, lo: UInt64)) -> (hi: UInt64, lo: UInt64) {
        let low = h.lo.multipliedFullWidth(by: 0x13b)
        let hi = h.hi &* 0x13b &+ low.high &+ (h.lo << 24)   // 2^88 = 2^64 · 2^24: only lo reaches hi
        return (hi, low.low)
    }

    private static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
