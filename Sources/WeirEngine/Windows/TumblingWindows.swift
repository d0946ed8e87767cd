/// Window-start arithmetic of tumbling windows (Flink's
/// `TimeWindow.getWindowStartWithOffset`): the start of the window of `size`
/// aligned to `offset` that contains `timestamp`. Correct for negative
/// timestamps too (Swift's `%` keeps the dividend's sign, like Java's).
enum TumblingWindows {
    @inline(__always)
    static func start(of timestamp: Int64, size: Int64, offset: Int64) -> Int64 {
        let remainder = (timestamp - offset) % size
        return remainder < 0 ? timestamp - (remainder + size) : timestamp - remainder
    }
}
