/// The merge rule of session windows (Flink's `TimeWindow.intersects` and
/// `mergeWindows`): a record at `t` opens the window `[t, t + gap)`; windows of
/// one key that intersect — *including touching ends*, `a.start <= b.end &&
/// a.end >= b.start` — merge into their cover. So two records exactly `gap`
/// apart are one session, as in Flink.
enum SessionWindows {
    @inline(__always)
    static func intersects(_ aStart: Int64, _ aEnd: Int64, _ bStart: Int64, _ bEnd: Int64) -> Bool {
        aStart <= bEnd && aEnd >= bStart
    }
}
