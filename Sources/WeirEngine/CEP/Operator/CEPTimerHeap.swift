/// Keys' timers of one partition: a binary min-heap of (time, key index).
struct CEPTimerHeap {
    private(set) var heap: [(time: Int64, key: Int32)] = []

    var nextTime: Int64? { heap.first?.time }
    mutating func removeAll() { heap.removeAll(keepingCapacity: true) }

    mutating func push(_ time: Int64, _ key: Int32) {
        heap.append((time, key))
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) >> 1
            guard heap[i].time < heap[p].time else { break }
            heap.swapAt(i, p)
            i = p
        }
    }

    mutating func popDue(_ now: Int64) -> (time: Int64, key: Int32)? {
        guard let top = heap.first, top.time <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1
                guard l < heap.count else { break }
                var m = l
                if l + 1 < heap.count && heap[l + 1].time < heap[l].time { m = l + 1 }
                guard heap[m].time < heap[i].time else { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}
