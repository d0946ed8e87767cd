#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WeirFormats

/// Byte strings stored in one arena, optionally indexed by a hash table keyed
/// by (owner, bytes). Holds the keys of the keyed state, and the values of
/// count-distinct sets, collect lists and first/last strings.
///
/// Entries are a flat array of structs (ids are indexes, reused through a free
/// list); each entry has one spare `link` that callers use to chain the values
/// of one owner. Removing an entry only leaves its bytes as garbage; the arena
/// is compacted when garbage outweighs live bytes, so growth is amortized and
/// a steady state allocates nothing.
final class ByteTable {
    struct Entry {
        var offset: Int
        var hash: UInt64
        var owner: Int
        var length: Int32          // -1 = free entry
        var nextInBucket: Int32
        var link: Int32            // caller's chain (e.g. values of one window)
        var indexed: Bool          // reachable from the buckets (inserted, not appended)
    }

    // Hot properties are `@exclusivity(unchecked)`: one task thread owns this object and no
    // access overlaps, while the dynamic checks cost about a third of the per-record time.
    @exclusivity(unchecked) private(set) var arena: [UInt8] = []
    @exclusivity(unchecked) private(set) var entries: [Entry] = []
    @exclusivity(unchecked) private var buckets: [Int32]
    @exclusivity(unchecked) private var freeHead: Int32 = -1
    @exclusivity(unchecked) private(set) var count = 0
    @exclusivity(unchecked) private var liveBytes = 0
    @exclusivity(unchecked) private var garbageBytes = 0
    @exclusivity(unchecked) private var spare: [UInt8] = []     // the other arena of the compaction double buffer

    init(initialBuckets: Int = 64) {
        var n = 16
        while n < initialBuckets { n <<= 1 }
        buckets = Array(repeating: -1, count: n)
    }

    @inline(__always) static func hash(owner: Int, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        owner == 0 ? ByteHash.hash(bytes) : ByteHash.combine(ByteHash.hash(bytes), UInt64(bitPattern: Int64(owner)))
    }

    /// The entry holding exactly (owner, bytes), or -1. Only entries added with
    /// `insert` are found.
    func find(owner: Int, _ bytes: UnsafeRawBufferPointer, hash: UInt64) -> Int32 {
        var i = buckets[Int(hash & UInt64(buckets.count - 1))]
        while i >= 0 {
            let e = entries[Int(i)]
            if e.hash == hash && e.owner == owner && Int(e.length) == bytes.count && equalBytes(e.offset, bytes) {
                return i
            }
            i = e.nextInBucket
        }
        return -1
    }

    /// Adds (owner, bytes) to the index; the caller has checked it is absent.
    /// `bytes` must not point into this table's arena (the arena may move).
    func insert(owner: Int, _ bytes: UnsafeRawBufferPointer, hash: UInt64) -> Int32 {
        if count + 1 > buckets.count - buckets.count / 4 { grow() }
        let id = add(owner: owner, bytes, hash: hash)
        entries[Int(id)].indexed = true
        let b = Int(hash & UInt64(buckets.count - 1))
        entries[Int(id)].nextInBucket = buckets[b]
        buckets[b] = id
        return id
    }

    /// Stores bytes without indexing them (lists; first/last values).
    /// `bytes` must not point into this table's arena.
    func append(owner: Int, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        add(owner: owner, bytes, hash: 0)
    }

    /// Frees an entry (indexed or not).
    func remove(_ id: Int32) {
        let e = entries[Int(id)]
        guard e.length >= 0 else { return }
        if e.indexed {
            let b = Int(e.hash & UInt64(buckets.count - 1))
            if buckets[b] == id {
                buckets[b] = e.nextInBucket
            } else {
                var p = buckets[b]
                while p >= 0 {
                    let n = entries[Int(p)].nextInBucket
                    if n == id { entries[Int(p)].nextInBucket = e.nextInBucket; break }
                    p = n
                }
            }
        }
        liveBytes -= Int(e.length)
        garbageBytes += Int(e.length)
        entries[Int(id)].length = -1
        entries[Int(id)].nextInBucket = freeHead
        freeHead = id
        count -= 1
        if garbageBytes > 65_536 && garbageBytes > liveBytes { compact() }
    }

    /// Replaces an unindexed entry's bytes, in place when they fit.
    /// `bytes` must not point into this table's arena.
    func replace(_ id: Int32, _ bytes: UnsafeRawBufferPointer) {
        let e = entries[Int(id)]
        guard e.length >= 0, !e.indexed else { return }
        if bytes.count <= Int(e.length) {
            arena.withUnsafeMutableBytes { all in
                if let dst = all.baseAddress, let src = bytes.baseAddress { memcpy(dst + e.offset, src, bytes.count) }
            }
            garbageBytes += Int(e.length) - bytes.count
        } else {
            let offset = arena.count
            arena.append(contentsOf: bytes)
            entries[Int(id)].offset = offset
            garbageBytes += Int(e.length)
        }
        liveBytes += bytes.count - Int(e.length)
        entries[Int(id)].length = Int32(truncatingIfNeeded: bytes.count)
        if garbageBytes > 65_536 && garbageBytes > liveBytes { compact() }
    }

    @inline(__always) func link(_ id: Int32) -> Int32 { entries[Int(id)].link }
    @inline(__always) func setLink(_ id: Int32, _ next: Int32) { entries[Int(id)].link = next }
    @inline(__always) func length(_ id: Int32) -> Int { Int(entries[Int(id)].length) }

    /// The bytes of an entry, valid only inside `body` (which must not modify this table).
    @inline(__always)
    func withBytes<R>(_ id: Int32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let e = entries[Int(id)]
        return try arena.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[e.offset..<e.offset + Int(e.length)]))
        }
    }

    /// Removes everything, keeping capacity.
    func removeAll() {
        arena.removeAll(keepingCapacity: true)
        spare = []
        entries.removeAll(keepingCapacity: true)
        for i in buckets.indices { buckets[i] = -1 }
        freeHead = -1; count = 0; liveBytes = 0; garbageBytes = 0
    }

    /// Takes `other`'s entries and bytes, copied into this table's own
    /// storage (never shared with `other`), for a snapshot
    /// written on another thread (`KeyedWindowState.snapshotCopy`). Lookups
    /// by bytes are not rebuilt: only ids are read from such a copy.
    func copyContents(of other: ByteTable) {
        arena.replaceContents(with: other.arena)
        entries.replaceContents(with: other.entries)
        count = other.count
        liveBytes = other.liveBytes
        garbageBytes = other.garbageBytes
    }

    /// Room for `entries` entries and `arenaBytes` bytes, pages touched (a
    /// snapshot copy's, off the task thread: `KeyedWindowState.prefault(to:)`).
    func prefault(entries n: Int, arenaBytes: Int) {
        arena.prefault(capacity: arenaBytes, filler: 0)
        entries.prefault(capacity: n,
                         filler: Entry(offset: 0, hash: 0, owner: 0, length: -1, nextInBucket: -1, link: -1, indexed: false))
    }

    var arenaBytes: Int { arena.count }
    var arenaCapacity: Int { arena.capacity }
    var entryCapacity: Int { entries.capacity }

    // MARK: - internals

    private func add(owner: Int, _ bytes: UnsafeRawBufferPointer, hash: UInt64) -> Int32 {
        let offset = arena.count
        arena.append(contentsOf: bytes)
        let e = Entry(offset: offset, hash: hash, owner: owner, length: Int32(truncatingIfNeeded: bytes.count),
                      nextInBucket: -1, link: -1, indexed: false)
        let id: Int32
        if freeHead >= 0 {
            id = freeHead
            freeHead = entries[Int(id)].nextInBucket
            entries[Int(id)] = e
        } else {
            id = Int32(truncatingIfNeeded: entries.count)
            entries.append(e)
        }
        count += 1
        liveBytes += bytes.count
        return id
    }

    @inline(__always) private func equalBytes(_ offset: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count > 0, let b = bytes.baseAddress else { return true }
        return arena.withUnsafeBytes { all in
            guard let a = all.baseAddress else { return false }
            return ShortBytes.equal(a + offset, b, count: bytes.count)
        }
    }

    private func grow() {
        let n = buckets.count * 2
        buckets = Array(repeating: -1, count: n)
        for i in entries.indices where entries[i].length >= 0 && entries[i].indexed {
            let b = Int(entries[i].hash & UInt64(n - 1))
            entries[i].nextInBucket = buckets[b]
            buckets[b] = Int32(i)
        }
    }

    private func compact() {
        // Reuses the previous arena's buffer, so repeated compactions stop allocating.
        var fresh = spare
        spare = []
        fresh.removeAll(keepingCapacity: true)
        fresh.reserveCapacity(liveBytes * 2)
        arena.withUnsafeBytes { old in
            for i in entries.indices where entries[i].length >= 0 {
                let e = entries[i]
                let newOffset = fresh.count
                fresh.append(contentsOf: UnsafeRawBufferPointer(rebasing: old[e.offset..<e.offset + Int(e.length)]))
                entries[i].offset = newOffset
            }
        }
        spare = arena
        arena = fresh
        garbageBytes = 0
    }
}
