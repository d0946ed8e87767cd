/// Event- or processing-time timers of one partition's windows: a binary
/// min-heap in a flat array (pushes grow it amortized; no per-timer object).
///
/// Order: time, then window start, then the key's hash — a content order, so
/// windows that fire at the same time are emitted in the same order in every
/// run, also after a restore (window ids are not stable across restores).
/// A timer names its window by id and generation; a window that was merged or
/// purged since bumped its generation, and its stale timers are skipped.
struct TimerQueue {
    struct Timer {
        var time: Int64
        var start: Int64
        var keyHash: UInt64
        var window: Int32
        var generation: UInt32

        @inline(__always) static func < (a: Timer, b: Timer) -> Bool {
            if a.time != b.time { return a.time < b.time }
            if a.start != b.start { return a.start < b.start }
            if a.keyHash != b.keyHash { return a.keyHash < b.keyHash }
            return a.window < b.window
        }
    }

    private(set) var heap: [Timer] = []

    var count: Int { heap.count }
    /// The earliest time of any timer, nil when empty.
    var nextTime: Int64? { heap.first?.time }

    mutating func removeAll() { heap.removeAll(keepingCapacity: true) }

    /// Sifts with a hole (each level moves one timer, the new one is written
    /// once) through the array's buffer: no per-level uniqueness or bounds checks.
    mutating func push(_ t: Timer) {
        heap.append(t)
        heap.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            while i > 0 {
                let parent = (i - 1) >> 1
                guard t < h[parent] else { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = t
        }
    }

    /// Removes and returns the earliest timer if its time is <= `time`.
    mutating func popDue(_ time: Int64) -> Timer? {
        guard let top = heap.first, top.time <= time else { return nil }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return top }
        heap.withUnsafeMutableBufferPointer { h in
            let n = h.count
            var i = 0
            while true {
                let l = 2 * i + 1
                guard l < n else { break }
                var m = l
                if l + 1 < n && h[l + 1] < h[l] { m = l + 1 }
                guard h[m] < last else { break }
                h[i] = h[m]
                i = m
            }
            h[i] = last
        }
        return top
    }
}
