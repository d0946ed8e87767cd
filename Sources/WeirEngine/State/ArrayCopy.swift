extension Array {
    /// A copy with storage of its own. Assigning an array shares its buffer
    /// until one side writes; a snapshot copy handed to another thread is
    /// copied at once instead, on the task thread, where its cost is counted.
    func copiedStorage() -> [Element] {
        withUnsafeBufferPointer { Array($0) }
    }
}
