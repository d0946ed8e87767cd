/// A fast, seeded 64-bit hash over bytes, for the keyed-state tables.
///
/// Not cryptographic: keys come from our own input and the tables compare the
/// stored bytes on every hit, so a collision costs time, never correctness.
/// The seed is fixed so that hashes (and the timer order derived from them)
/// are the same in every process and after a restore.
@usableFromInline enum ByteHash {
    @usableFromInline static let seed: UInt64 = 0x9E37_79B9_7F4A_7C15

    @inlinable @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        // splitmix64 finaliser: full avalanche in three multiply/xor-shifts.
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inlinable
    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = ByteHash.seed) -> UInt64 {
        var h = seed ^ (UInt64(truncatingIfNeeded: bytes.count) &* 0xFF51_AFD7_ED55_8CCD)
        let n = bytes.count
        guard n > 0, let base = bytes.baseAddress else { return mix(h) }
        var i = 0
        while i + 8 <= n {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0x9FB2_1C65_1E98_DF25
            h ^= h >> 29
            i += 8
        }
        if i < n {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0x9FB2_1C65_1E98_DF25
        }
        return mix(h)
    }

    @inlinable @inline(__always)
    static func combine(_ a: UInt64, _ b: UInt64) -> UInt64 {
        mix(a ^ (b &* 0xC2B2_AE3D_27D4_EB4F) ^ (b >> 32))
    }
}
