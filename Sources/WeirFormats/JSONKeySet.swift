import Glibc

/// The top-level keys of one record that the projection does not know, to
/// refuse duplicates among them without allocating per record.
///
/// Records usually have a handful of keys: up to `linearLimit` they are
/// compared directly (lengths first). Beyond that an open-addressing table of
/// SipHash values (Swift's `Hasher`, seeded per process, so crafted keys cannot
/// force collisions) keeps the check linear. Slots carry the record's
/// generation, so nothing is cleared between records.
struct JSONKeySet {
    private struct Key { var start: Int32; var count: Int32; var hash: Int }
    private struct Slot { var generation: UInt32; var key: Int32 }

    private static let linearLimit = 16
    private var keys = RawGrowableBuffer<Key>()
    private var bytes = RawGrowableBuffer<UInt8>()
    private var table: UnsafeMutablePointer<Slot>?
    private var tableCapacity = 0                 // power of two, or 0
    private var generation: UInt32 = 0
    private var hashed = false                    // this record's keys are in the table

    mutating func beginRecord() {
        keys.removeAll(); bytes.removeAll(); hashed = false
        generation &+= 1
        if generation == 0, let table {           // wrapped: old stamps could look current
            table.update(repeating: Slot(generation: 0, key: 0), count: tableCapacity)
            generation = 1
        }
    }

    /// Adds a key; returns nil when it was already there, false when out of memory, true when added.
    mutating func insert(_ key: UnsafePointer<UInt8>, count: Int) -> Bool? {
        if keys.count < Self.linearLimit {
            for i in 0..<keys.count where Int(keys[i].count) == count && equal(keys[i], key, count) { return nil }
            return append(key, count: count, hash: 0)
        }
        if !hashed {
            guard ensureTable(for: keys.count + 1) else { return false }
            for i in 0..<keys.count {
                var k = keys[i]
                k.hash = Self.hash(bytes(of: k), Int(k.count))
                keys[i] = k
                place(Int32(i), hash: k.hash)
            }
            hashed = true
        } else if !ensureTable(for: keys.count + 1) {
            return false
        }
        let h = Self.hash(key, count)
        guard let table else { return false }
        let mask = tableCapacity - 1
        var i = h & mask
        while table[i].generation == generation {
            let k = keys[Int(table[i].key)]
            if k.hash == h, Int(k.count) == count, equal(k, key, count) { return nil }
            i = (i + 1) & mask
        }
        guard append(key, count: count, hash: h) else { return false }
        table[i] = Slot(generation: generation, key: Int32(keys.count - 1))
        return true
    }

    /// Where a stored key's bytes are; nil only while every stored key is empty.
    @inline(__always) private func bytes(of k: Key) -> UnsafePointer<UInt8>? {
        bytes.base.map { UnsafePointer($0 + Int(k.start)) }
    }

    @inline(__always) private func equal(_ k: Key, _ key: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        guard count > 0 else { return true }
        guard let stored = bytes(of: k) else { return false }
        return memcmp(stored, key, count) == 0
    }

    private mutating func append(_ key: UnsafePointer<UInt8>, count: Int, hash: Int) -> Bool {
        let start = bytes.count
        guard bytes.append(contentsOf: key, count: count),
              keys.append(Key(start: Int32(truncatingIfNeeded: start), count: Int32(truncatingIfNeeded: count), hash: hash))
        else { return false }
        return true
    }

    private static func hash(_ p: UnsafePointer<UInt8>?, _ n: Int) -> Int {
        var h = Hasher()
        h.combine(bytes: UnsafeRawBufferPointer(start: p, count: n))
        return h.finalize()
    }

    private func place(_ key: Int32, hash: Int) {
        guard let table else { return }
        let mask = tableCapacity - 1
        var i = hash & mask
        while table[i].generation == generation { i = (i + 1) & mask }
        table[i] = Slot(generation: generation, key: key)
    }

    /// Keeps the load factor at most 1/2; growing rehashes this record's keys.
    private mutating func ensureTable(for n: Int) -> Bool {
        if tableCapacity >= 2 * n { return true }
        var capacity = max(tableCapacity * 2, 64)
        while capacity < 2 * n { capacity *= 2 }
        guard let raw = malloc(capacity * MemoryLayout<Slot>.stride) else { return false }
        let newTable = raw.bindMemory(to: Slot.self, capacity: capacity)
        newTable.initialize(repeating: Slot(generation: 0, key: 0), count: capacity)
        free(table)
        table = newTable
        tableCapacity = capacity
        if generation == 0 { generation = 1 }
        if hashed {
            for i in 0..<keys.count { place(Int32(i), hash: keys[i].hash) }
        }
        return true
    }

    mutating func deallocate() {
        keys.deallocate(); bytes.deallocate(); free(table); table = nil; tableCapacity = 0
    }
}
