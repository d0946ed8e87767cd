/// Encoded keys → key slots of one partition: open addressing with linear
/// probing and backward-shift deletion, in one flat array of entries.
///
/// Why not `[[UInt8]: Int32]`: a lookup there touches the bucket bitmap, the
/// key's array reference, the key's own storage and the value, each a cache
/// miss over 10,000+ keys (~8% of the CEP benchmark). Here an entry holds the
/// key's hash and, for keys up to 16 bytes (a typical id), the key's bytes
/// themselves: a lookup is one miss. Longer keys are compared through
/// `keyOf(slot)`. The hash is seeded per index (as Swift's hashing is), so
/// keys from outside cannot be chosen to collide.
struct CEPKeyIndex {
    private struct Entry {
        /// hash | 1; 0: empty.
        var tag: UInt64 = 0
        var slot: Int32 = 0
        var length: Int32 = 0
        var inline0: UInt64 = 0
        var inline1: UInt64 = 0
    }

    static let inlineBytes = 16
    private var entries: [Entry]
    private var mask: Int
    private(set) var count = 0
    private let seed: UInt64

    init(capacity: Int = 16) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        entries = Array(repeating: Entry(), count: n)
        mask = n - 1
        seed = UInt64.random(in: 1 ... .max)
    }

    /// The slot of `key`, if indexed. `keyOf` gives an indexed slot's key (compared for keys over 16 bytes).
    func find(_ key: UnsafeRawBufferPointer, keyOf: (Int32) -> [UInt8]?) -> Int32? {
        let (tag, w0, w1) = digest(key)
        var i = position(tag)
        while true {
            let e = entries[i]
            if e.tag == 0 { return nil }
            if e.tag == tag && matches(e, key, w0, w1, keyOf) { return e.slot }
            i = (i &+ 1) & mask
        }
    }

    /// Indexes `key` (not indexed yet) at `slot`.
    mutating func insert(_ key: UnsafeRawBufferPointer, slot: Int32) {
        if (count + 1) * 2 > entries.count { grow() }
        let (tag, w0, w1) = digest(key)
        var i = position(tag)
        while entries[i].tag != 0 { i = (i &+ 1) & mask }
        entries[i] = Entry(tag: tag, slot: slot, length: Int32(truncatingIfNeeded: key.count), inline0: w0, inline1: w1)
        count += 1
    }

    /// Removes `key`; false if it was not indexed.
    @discardableResult
    mutating func remove(_ key: UnsafeRawBufferPointer, keyOf: (Int32) -> [UInt8]?) -> Bool {
        let (tag, w0, w1) = digest(key)
        var i = position(tag)
        while true {
            let e = entries[i]
            if e.tag == 0 { return false }
            if e.tag == tag && matches(e, key, w0, w1, keyOf) { break }
            i = (i &+ 1) & mask
        }
        // backward shift: move later entries of the run into the hole when their home allows it
        var j = (i &+ 1) & mask
        while entries[j].tag != 0 {
            let home = position(entries[j].tag)
            if (j &- home) & mask >= (j &- i) & mask {
                entries[i] = entries[j]
                i = j
            }
            j = (j &+ 1) & mask
        }
        entries[i] = Entry()
        count -= 1
        return true
    }

    mutating func removeAll() {
        for i in entries.indices { entries[i] = Entry() }
        count = 0
    }

    private mutating func grow() {
        let old = entries
        entries = Array(repeating: Entry(), count: old.count * 2)
        mask = entries.count - 1
        for e in old where e.tag != 0 {
            var i = position(e.tag)
            while entries[i].tag != 0 { i = (i &+ 1) & mask }
            entries[i] = e
        }
    }

    @inline(__always) private func position(_ tag: UInt64) -> Int { Int(truncatingIfNeeded: tag >> 1) & mask }

    @inline(__always) private func matches(_ e: Entry, _ key: UnsafeRawBufferPointer, _ w0: UInt64, _ w1: UInt64,
                                           _ keyOf: (Int32) -> [UInt8]?) -> Bool {
        guard Int(e.length) == key.count else { return false }
        if key.count <= Self.inlineBytes { return e.inline0 == w0 && e.inline1 == w1 }
        guard let stored = keyOf(e.slot), stored.count == key.count else { return false }
        return stored.withUnsafeBytes { $0.elementsEqual(key) }
    }

    /// The tag (seeded hash | 1) and, for short keys, the key's bytes as two words (zero-padded).
    @inline(__always) private func digest(_ key: UnsafeRawBufferPointer) -> (UInt64, UInt64, UInt64) {
        var h = seed ^ (UInt64(truncatingIfNeeded: key.count) &* 0x9E37_79B9_7F4A_7C15)
        var w0: UInt64 = 0, w1: UInt64 = 0
        var k = 0
        while k < key.count {
            var w: UInt64 = 0
            let n = min(8, key.count - k)
            for b in 0..<n { w |= UInt64(key[k + b]) << (8 * UInt64(b)) }
            if k == 0 { w0 = w } else if k == 8 { w1 = w }
            h = mix(h ^ w)
            k += 8
        }
        if key.count > Self.inlineBytes { w0 = 0; w1 = 0 }
        return (mix(h) | 1, w0, w1)
    }

    /// A 64-bit finalizer (splitmix64's): every input bit affects every output bit.
    @inline(__always) private func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
