import Glibc

/// Checkpoint ids that never repeat, also across restarts: at least one more
/// than any id seen (restored markers included) and at least the wall clock in
/// microseconds, so a restart that could not see its last marker (e.g. it was
/// never committed) still moves forward.
public struct CheckpointIDs: Sendable {
    public private(set) var last: UInt64 = 0
    public init() {}

    public mutating func observe(_ id: UInt64) { if id > last { last = id } }

    public mutating func next(nowMicros: UInt64 = CheckpointIDs.wallMicros()) -> UInt64 {
        last = max(last &+ 1, nowMicros)
        return last
    }

    public static func wallMicros() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000 &+ UInt64(ts.tv_nsec / 1000)
    }
}
