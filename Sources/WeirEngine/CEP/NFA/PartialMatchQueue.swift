/// Partial (or completed) matches ordered by start event in a binary heap that
/// behaves exactly as `java.util.PriorityQueue`, which Flink's NFA keeps them
/// in: same sift-up / sift-down, same bulk removal (survivors compacted in
/// array order, then heapified), and iteration in array order. Flink's results
/// depend on it where matches tie on their start event: which of them a skip
/// strategy emits first (and so which it prunes), and the order ties are emitted in.
struct PartialMatchQueue {
    private(set) var elements: [ComputationState] = []

    init() {}
    init(_ xs: [ComputationState]) { for x in xs { offer(x) } }

    var isEmpty: Bool { elements.isEmpty }
    var count: Int { elements.count }
    var peek: ComputationState? { elements.first }

    /// Flink's comparator: start event (timestamp, then order), start states last.
    static func compare(_ a: ComputationState, _ b: ComputationState) -> Int {
        let x = a.startEvent ?? EventID(timestamp: .max, seq: .max)
        let y = b.startEvent ?? EventID(timestamp: .max, seq: .max)
        if x.timestamp != y.timestamp { return x.timestamp < y.timestamp ? -1 : 1 }
        if x.seq != y.seq { return x.seq < y.seq ? -1 : 1 }
        return 0
    }

    mutating func removeAll() { elements.removeAll(keepingCapacity: true) }

    mutating func offer(_ x: ComputationState) {
        var k = elements.count
        elements.append(x)
        while k > 0 {
            let parent = (k - 1) >> 1
            let e = elements[parent]
            if Self.compare(x, e) >= 0 { break }
            elements[k] = e
            k = parent
        }
        elements[k] = x
    }

    mutating func poll() -> ComputationState? {
        guard let result = elements.first else { return nil }
        let x = elements.removeLast()
        if !elements.isEmpty { siftDown(0, x) }
        return result
    }

    private mutating func siftDown(_ start: Int, _ x: ComputationState) {
        let n = elements.count
        var k = start
        let half = n >> 1
        while k < half {
            var child = (k << 1) + 1
            var c = elements[child]
            let right = child + 1
            if right < n && Self.compare(c, elements[right]) > 0 {
                child = right
                c = elements[child]
            }
            if Self.compare(x, c) <= 0 { break }
            elements[k] = c
            k = child
        }
        elements[k] = x
    }

    /// Removes every element `shouldRemove` accepts (Java's `bulkRemove`:
    /// survivors keep their array order, then the heap is rebuilt).
    mutating func removeAll(where shouldRemove: (ComputationState) -> Bool) {
        guard let first = elements.firstIndex(where: shouldRemove) else { return }
        var w = first
        for i in first..<elements.count where i == first ? false : !shouldRemove(elements[i]) {
            elements[w] = elements[i]
            w += 1
        }
        elements.removeLast(elements.count - w)
        var i = (elements.count >> 1) - 1
        while i >= 0 {
            siftDown(i, elements[i])
            i -= 1
        }
    }
}
