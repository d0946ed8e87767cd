/// Window assignment of sliding (hopping) windows, as Flink's
/// `SlidingEventTimeWindows.assignWindows`: the newest window containing `t`
/// starts at `lastStart` (tumbling arithmetic with size = slide); earlier ones
/// start every `slide` back while `start > t − size`.
enum SlidingWindows {
    @inline(__always)
    static func lastStart(_ timestamp: Int64, slide: Int64, offset: Int64) -> Int64 {
        TumblingWindows.start(of: timestamp, size: slide, offset: offset)
    }

    /// All windows containing `timestamp`, newest first (for tests and tools;
    /// the operator walks them without building an array).
    static func windows(of timestamp: Int64, size: Int64, slide: Int64, offset: Int64) -> [(start: Int64, end: Int64)] {
        var result: [(start: Int64, end: Int64)] = []
        var start = lastStart(timestamp, slide: slide, offset: offset)
        while start > timestamp - size {
            result.append((start, start + size))
            start -= slide
        }
        return result
    }
}
