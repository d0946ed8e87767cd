#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The dictionary of a BYTE_ARRAY column chunk: distinct values in insertion
/// order, stored PLAIN-encoded (4-byte length + bytes) exactly as the dictionary
/// page carries them, with an open-addressing hash table of their indices.
///
/// Lookups hash the caller's bytes in place, so a value already present costs no
/// allocation; buffers keep their capacity across column chunks.
struct ByteArrayDictionary {
    /// The dictionary page body.
    private(set) var plain: [UInt8] = []
    /// Where each entry's bytes start in `plain` (after its length prefix), its
    /// length and hash, side by side for one cache line per probe.
    private struct Entry {
        var start: Int32
        var length: Int32
        var hash: UInt32
    }
    private var entries: [Entry] = []
    /// Slots hold entry index + 1 (0 is empty); the count is a power of two.
    private var slots: [Int32] = Array(repeating: 0, count: 1024)

    var count: Int { entries.count }
    /// Bytes of the dictionary page body.
    var byteSize: Int { plain.count }

    mutating func reset() {
        plain.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
        slots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    /// The index of `bytes`, adding it when new.
    mutating func index(of bytes: UnsafeRawBufferPointer) -> UInt32 {
        let h = Self.hash(bytes)
        let found: Int? = slots.withUnsafeBufferPointer { slots in
            entries.withUnsafeBufferPointer { entries in
                plain.withUnsafeBytes { plain in
                    let mask = slots.count - 1
                    var slot = Int(h) & mask
                    while true {
                        let entry = slots[slot]
                        if entry == 0 { return -1 - slot }  // absent: where it goes
                        let e = entries[Int(entry - 1)]
                        if e.hash == h && Int(e.length) == bytes.count
                            && Self.same(plain, Int(e.start), bytes) { return Int(entry - 1) }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
        guard let found, found < 0 else { return UInt32(found ?? 0) }
        let slot = -1 - found
        let e = entries.count
        withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { plain.append(contentsOf: $0) }
        entries.append(Entry(start: Int32(plain.count), length: Int32(bytes.count), hash: h))
        plain.append(contentsOf: bytes)
        slots[slot] = Int32(e + 1)
        // Keep the table at most half full.
        if entries.count * 2 > slots.count { grow() }
        return UInt32(e)
    }

    /// Whether `plain[start...]` begins with `bytes` (lengths already equal).
    @inline(__always)
    private static func same(_ plain: UnsafeRawBufferPointer, _ start: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        guard n > 0, let p = plain.baseAddress, let q = bytes.baseAddress else { return true }
        // Short keys (most ids, codes, names): one or two overlapping word loads.
        if n >= 8 && n <= 16 {
            return p.loadUnaligned(fromByteOffset: start, as: UInt64.self) == q.loadUnaligned(as: UInt64.self)
                && p.loadUnaligned(fromByteOffset: start + n - 8, as: UInt64.self) == q.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        }
        if n < 8 {
            var i = 0
            while i < n {
                if p.load(fromByteOffset: start + i, as: UInt8.self) != q.load(fromByteOffset: i, as: UInt8.self) { return false }
                i += 1
            }
            return true
        }
        return memcmp(p + start, q, n) == 0
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = Array(repeating: 0, count: size)
        let mask = size - 1
        for (e, entry) in entries.enumerated() {
            var slot = Int(entry.hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(e + 1)
        }
    }

    /// A fast multiplicative hash over 8-byte words (the last one overlapping);
    /// quality is enough for a table whose keys come from one column.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let n = bytes.count
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        if n >= 8 {
            var i = 0
            while i + 8 < n {
                h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
                h ^= h >> 29
                i += 8
            }
            h = (h ^ bytes.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) &* 0xC4CE_B9FE_1A85_EC53
        } else if n >= 4 {
            let lo = UInt64(bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            let hi = UInt64(bytes.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
            h = (h ^ (lo | hi << 32)) &* 0xC4CE_B9FE_1A85_EC53
        } else if n > 0 {
            let w = UInt64(bytes[0]) | UInt64(bytes[n / 2]) << 8 | UInt64(bytes[n - 1]) << 16
            h = (h ^ w) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= h >> 32
        h = h &* 0xFF51_AFD7_ED55_8CCD
        return UInt32(truncatingIfNeeded: h >> 32)
    }
}
