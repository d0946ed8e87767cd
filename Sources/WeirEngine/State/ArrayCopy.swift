extension Array {
    /// Makes this array a copy of `other` in its own storage, reusing its
    /// capacity. Assigning an array would share `other`'s buffer until one
    /// side writes; a snapshot copy handed to another thread is copied at
    /// once instead, on the task thread, where its cost is counted.
    mutating func replaceContents(with other: [Element]) {
        removeAll(keepingCapacity: true)
        other.withUnsafeBufferPointer { append(contentsOf: $0) }
    }

    /// Grows the capacity to at least `capacity` and writes every element
    /// slot once (then drops them again), so the memory is mapped before a
    /// later copy into it: a fresh buffer's pages fault in on first write.
    mutating func prefault(capacity: Int, filler: Element) {
        guard capacity > self.capacity else { return }
        let n = count
        reserveCapacity(capacity)
        append(contentsOf: repeatElement(filler, count: self.capacity - n))
        removeLast(self.capacity - n)
    }
}
