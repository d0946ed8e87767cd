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
    /// Where each entry's bytes start in `plain` (after its length prefix), and its length.
    private var starts: [Int32] = []
    private var lengths: [Int32] = []
    /// Slots hold entry index + 1 (0 is empty); the count is a power of two.
    private var slots: [Int32] = Array(repeating: 0, count: 1024)
    private var hashes: [UInt32] = []

    var count: Int { starts.count }
    /// Bytes of the dictionary page body.
    var byteSize: Int { plain.count }

    mutating func reset() {
        plain.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
        slots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    /// The index of `bytes`, adding it when new.
    mutating func index(of bytes: UnsafeRawBufferPointer) -> UInt32 {
        let h = Self.hash(bytes)
        let mask = slots.count - 1
        var slot = Int(h) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            let e = Int(entry - 1)
            if hashes[e] == h && equals(e, bytes) { return UInt32(e) }
            slot = (slot + 1) & mask
        }
        let e = starts.count
        let length = bytes.count
        withUnsafeBytes(of: UInt32(length).littleEndian) { plain.append(contentsOf: $0) }
        starts.append(Int32(plain.count))
        lengths.append(Int32(length))
        hashes.append(h)
        plain.append(contentsOf: bytes)
        slots[slot] = Int32(e + 1)
        // Keep the table at most half full.
        if starts.count * 2 > slots.count { grow() }
        return UInt32(e)
    }

    private func equals(_ e: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let length = Int(lengths[e])
        if length != bytes.count { return false }
        if length == 0 { return true }
        let start = Int(starts[e])
        return plain.withUnsafeBytes { p in
            guard let base = p.baseAddress, let other = bytes.baseAddress else { return false }
            return memcmp(base + start, other, length) == 0
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = Array(repeating: 0, count: size)
        let mask = size - 1
        for e in 0..<starts.count {
            var slot = Int(hashes[e]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(e + 1)
        }
    }

    /// A fast multiplicative hash over 8-byte words; quality is enough for a table
    /// whose keys come from one column.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 29
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                w |= UInt64(bytes[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ w) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= h >> 32
        h = h &* 0xFF51_AFD7_ED55_8CCD
        return UInt32(truncatingIfNeeded: h >> 32)
    }
}
