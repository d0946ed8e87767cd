import Glibc

/// A growable array of plain values in malloc'd memory, for state that C
/// callbacks mutate through a pointer: unlike a Swift Array it has no
/// copy-on-write or exclusivity bookkeeping, and `removeAll` keeps capacity,
/// so steady state never allocates.
struct RawGrowableBuffer<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>?
    private(set) var count = 0
    private(set) var capacity = 0

    init() {}

    /// Appends; returns false only when memory is exhausted (the caller fails the record).
    @inline(__always) mutating func append(_ value: Element) -> Bool {
        if count == capacity, !grow(minimum: count + 1) { return false }
        guard let base else { return false }
        base[count] = value
        count += 1
        return true
    }

    /// Appends `n` elements copied from `source`.
    mutating func append(contentsOf source: UnsafePointer<Element>, count n: Int) -> Bool {
        if count + n > capacity, !grow(minimum: count + n) { return false }
        guard let base else { return n == 0 }
        (base + count).update(from: source, count: n)
        count += n
        return true
    }

    @inline(__always) mutating func removeAll() { count = 0 }

    @inline(__always) subscript(i: Int) -> Element {
        get { base.unsafelyUnwrapped[i] }           // callers index below `count`, so base is set
        nonmutating set { base.unsafelyUnwrapped[i] = newValue }
    }

    private mutating func grow(minimum: Int) -> Bool {
        var newCapacity = Swift.max(capacity * 2, 16)
        while newCapacity < minimum { newCapacity *= 2 }
        guard let raw = realloc(base, newCapacity * MemoryLayout<Element>.stride) else { return false }
        base = raw.bindMemory(to: Element.self, capacity: newCapacity)
        capacity = newCapacity
        return true
    }

    /// Frees the memory; the buffer must not be used afterwards.
    mutating func deallocate() {
        free(base)
        base = nil; count = 0; capacity = 0
    }
}
