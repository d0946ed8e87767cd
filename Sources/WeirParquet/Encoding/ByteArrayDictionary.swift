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
    /// One hash-table slot: everything a probe needs, so a lookup touches the
    /// slot and the candidate's bytes only (two cache misses on a large table).
    private struct Slot {
        /// Entry index + 1; 0 marks an empty slot.
        var entry: UInt32
        var hash: UInt32
        /// Where the entry's bytes start in `plain` (its length prefix precedes them).
        var start: UInt32
        var length: UInt32
    }
    /// The count is a power of two; kept at most half full.
    private var slots: [Slot] = Array(repeating: Slot(entry: 0, hash: 0, start: 0, length: 0), count: 1024)
    private var entryCount = 0

    var count: Int { entryCount }
    /// Bytes of the dictionary page body.
    var byteSize: Int { plain.count }

    mutating func reset() {
        plain.removeAll(keepingCapacity: true)
        entryCount = 0
        slots.withUnsafeMutableBufferPointer { $0.update(repeating: Slot(entry: 0, hash: 0, start: 0, length: 0)) }
    }

    /// The index of `bytes`, adding it when new.
    mutating func index(of bytes: UnsafeRawBufferPointer) -> UInt32 {
        let h = Self.hash(bytes)
        let n = UInt32(truncatingIfNeeded: bytes.count)
        let found: Int = slots.withUnsafeBufferPointer { slots in
            plain.withUnsafeBytes { plain in
                let mask = slots.count - 1
                var i = Int(h) & mask
                while true {
                    let slot = slots[i]
                    if slot.entry == 0 { return -1 - i }  // absent: where it goes
                    if slot.hash == h && slot.length == n && Self.same(plain, Int(slot.start), bytes) {
                        return Int(slot.entry - 1)
                    }
                    i = (i + 1) & mask
                }
            }
        }
        if found >= 0 { return UInt32(found) }
        let e = entryCount
        withUnsafeBytes(of: n.littleEndian) { plain.append(contentsOf: $0) }
        slots[-1 - found] = Slot(entry: UInt32(e + 1), hash: h, start: UInt32(truncatingIfNeeded: plain.count), length: n)
        plain.append(contentsOf: bytes)
        entryCount += 1
        if entryCount * 2 > slots.count { grow() }
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
        let old = slots
        slots = Array(repeating: Slot(entry: 0, hash: 0, start: 0, length: 0), count: old.count * 2)
        let mask = slots.count - 1
        for slot in old where slot.entry != 0 {
            var i = Int(slot.hash) & mask
            while slots[i].entry != 0 { i = (i + 1) & mask }
            slots[i] = slot
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
