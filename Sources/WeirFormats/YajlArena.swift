import CYajl
import Glibc

/// Counters of the parser's memory arena, to prove (tests, metrics) that
/// steady-state decoding never reaches malloc.
public struct JSONArenaStats: Sendable, Equatable {
    /// Requests that did not fit the arena and went to malloc, since the decoder was made.
    public var fallbackAllocations: Int
    /// Times the arena block was replaced by a larger one after a record needed fallbacks.
    public var growths: Int
    /// Current size of the arena block in bytes.
    public var capacity: Int
}

/// The memory yajl allocates from while parsing one record.
///
/// The decoder keeps one yajl handle across records and drops it after an
/// error (`JSONRowDecoder.parse`); yajl's `yajl_alloc_funcs` bump-allocate
/// from one block that is rewound before each new handle. Requests that do
/// not fit go to malloc and are tracked in a list; the decoder then drops the
/// handle after that record, and the rewind frees them and grows the block
/// (up to `maxCapacity`) so the next record of that size fits again.
final class YajlArena {
    let state: UnsafeMutablePointer<YajlArenaState>
    /// The alloc funcs handed to `yajl_alloc`; ctx points at `state`.
    let funcs: UnsafeMutablePointer<yajl_alloc_funcs>

    init(initialCapacity: Int, maxCapacity: Int) {
        let capacity = YajlArenaState.align(max(initialCapacity, 4096))
        state = .allocate(capacity: 1)
        state.initialize(to: YajlArenaState(
            block: malloc(capacity), capacity: capacity, maxCapacity: max(maxCapacity, capacity)))
        funcs = .allocate(capacity: 1)
        funcs.initialize(to: yajl_alloc_funcs(
            malloc: yajlArenaMalloc, realloc: yajlArenaRealloc, free: yajlArenaFree,
            ctx: UnsafeMutableRawPointer(state)))
    }

    deinit {
        state.pointee.releaseFallbacks()
        free(state.pointee.block)
        state.deinitialize(count: 1); state.deallocate()
        funcs.deinitialize(count: 1); funcs.deallocate()
    }

    /// Rewinds the arena (no pointer into it may survive): before a new yajl
    /// handle. Grows the block first if the last handle needed malloc.
    func endRecord() { state.pointee.endRecord() }

    /// The current handle needed malloc beyond the block: drop it, so the
    /// rewind grows the block.
    var recordNeededFallbacks: Bool { state.pointee.recordFallbackBytes > 0 }

    var stats: JSONArenaStats {
        JSONArenaStats(fallbackAllocations: state.pointee.fallbackCount,
                       growths: state.pointee.growCount, capacity: state.pointee.capacity)
    }
}

/// Layout: each arena allocation is preceded by a 16-byte header
/// [size, tag 0]; each malloc fallback by a 32-byte header
/// [prev, next, size, tag 1], linked so that leftovers can be freed.
/// User pointers stay 16-byte aligned, like malloc's.
struct YajlArenaState {
    var block: UnsafeMutableRawPointer?   // nil only if the initial malloc failed: everything falls back
    var capacity: Int
    var top = 0
    let maxCapacity: Int
    var fallbackHead: UnsafeMutableRawPointer?
    var recordFallbackBytes = 0
    var fallbackCount = 0
    var growCount = 0

    static let arenaHeader = 16
    static let heapHeader = 32
    static let arenaTag = 0
    static let heapTag = 1

    init(block: UnsafeMutableRawPointer?, capacity: Int, maxCapacity: Int) {
        self.block = block
        self.capacity = block == nil ? 0 : capacity
        self.maxCapacity = maxCapacity
    }

    @inline(__always) static func align(_ n: Int) -> Int { (n + 15) & ~15 }

    mutating func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
        guard size >= 0, size < Int.max / 4 else { return nil }
        let need = Self.align(size) + Self.arenaHeader
        if let block, top + need <= capacity {
            let header = block + top
            header.storeBytes(of: size, as: Int.self)
            header.storeBytes(of: Self.arenaTag, toByteOffset: 8, as: Int.self)
            top += need
            return header + Self.arenaHeader
        }
        return allocateFallback(size)
    }

    private mutating func allocateFallback(_ size: Int) -> UnsafeMutableRawPointer? {
        guard let raw = malloc(size + Self.heapHeader) else { return nil }
        link(raw, size: size)
        fallbackCount += 1
        recordFallbackBytes += Self.align(size) + Self.arenaHeader
        return raw + Self.heapHeader
    }

    private mutating func link(_ raw: UnsafeMutableRawPointer, size: Int) {
        raw.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)                         // prev
        raw.storeBytes(of: fallbackHead, toByteOffset: 8, as: UnsafeMutableRawPointer?.self) // next
        raw.storeBytes(of: size, toByteOffset: 16, as: Int.self)
        raw.storeBytes(of: Self.heapTag, toByteOffset: 24, as: Int.self)
        fallbackHead?.storeBytes(of: raw, as: UnsafeMutableRawPointer?.self)
        fallbackHead = raw
    }

    private mutating func unlink(_ raw: UnsafeMutableRawPointer) {
        let prev = raw.load(as: UnsafeMutableRawPointer?.self)
        let next = raw.load(fromByteOffset: 8, as: UnsafeMutableRawPointer?.self)
        if let prev { prev.storeBytes(of: next, toByteOffset: 8, as: UnsafeMutableRawPointer?.self) } else { fallbackHead = next }
        next?.storeBytes(of: prev, as: UnsafeMutableRawPointer?.self)
    }

    @inline(__always) private func isHeap(_ p: UnsafeMutableRawPointer) -> Bool {
        p.load(fromByteOffset: -8, as: Int.self) == Self.heapTag
    }

    @inline(__always) private func size(of p: UnsafeMutableRawPointer) -> Int {
        p.load(fromByteOffset: -16, as: Int.self)
    }

    /// True when `p` is the most recent arena allocation, which can grow or be popped in place.
    @inline(__always) private func isLast(_ p: UnsafeMutableRawPointer) -> Bool {
        guard let block else { return false }
        return p - block + Self.align(size(of: p)) == top
    }

    mutating func reallocate(_ p: UnsafeMutableRawPointer?, _ newSize: Int) -> UnsafeMutableRawPointer? {
        guard let p else { return allocate(newSize) }
        guard newSize >= 0, newSize < Int.max / 4 else { return nil }
        if isHeap(p) {
            let raw = p - Self.heapHeader
            unlink(raw)
            guard let moved = realloc(raw, newSize + Self.heapHeader) else {
                link(raw, size: size(of: p))           // realloc failure leaves the old block valid
                return nil
            }
            link(moved, size: newSize)
            recordFallbackBytes += Self.align(newSize)
            return moved + Self.heapHeader
        }
        let oldSize = size(of: p)
        if let block, isLast(p) {
            let end = p - block + Self.align(newSize)
            if end <= capacity {
                p.storeBytes(of: newSize, toByteOffset: -16, as: Int.self)
                top = end
                return p
            }
        } else if newSize <= oldSize {
            return p                                   // shrinking in the middle: keep the block
        }
        guard let q = allocate(newSize) else { return nil }
        q.copyMemory(from: p, byteCount: min(oldSize, newSize))
        deallocate(p)
        return q
    }

    mutating func deallocate(_ p: UnsafeMutableRawPointer?) {
        guard let p else { return }
        if isHeap(p) {
            let raw = p - Self.heapHeader
            unlink(raw)
            free(raw)
        } else if isLast(p), let block {
            top = p - Self.arenaHeader - block           // pop; other arena frees wait for the rewind
        }
    }

    mutating func releaseFallbacks() {
        var node = fallbackHead
        while let raw = node {
            node = raw.load(fromByteOffset: 8, as: UnsafeMutableRawPointer?.self)
            free(raw)
        }
        fallbackHead = nil
    }

    /// Rewinds; if this record needed malloc, grows the block so the next one of this size does not.
    mutating func endRecord() {
        releaseFallbacks()
        top = 0
        if recordFallbackBytes > 0 {
            var wanted = Swift.max(capacity, 4096)
            while wanted < capacity + recordFallbackBytes, wanted < maxCapacity { wanted *= 2 }
            wanted = Swift.min(wanted, maxCapacity)
            if wanted > capacity, let bigger = malloc(wanted) {
                free(block)
                block = bigger
                capacity = wanted
                growCount += 1
            }
            recordFallbackBytes = 0
        }
    }
}

// yajl calls these through `yajl_alloc_funcs`; ctx is the YajlArenaState.

private let yajlArenaMalloc: yajl_malloc_func = { ctx, size in
    guard let ctx else { return nil }
    return ctx.assumingMemoryBound(to: YajlArenaState.self).pointee.allocate(size)
}

private let yajlArenaRealloc: yajl_realloc_func = { ctx, p, size in
    guard let ctx else { return nil }
    return ctx.assumingMemoryBound(to: YajlArenaState.self).pointee.reallocate(p, size)
}

private let yajlArenaFree: yajl_free_func = { ctx, p in
    guard let ctx else { return }
    ctx.assumingMemoryBound(to: YajlArenaState.self).pointee.deallocate(p)
}
