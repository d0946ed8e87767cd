#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Processing time for processing-time windows: wall-clock epoch milliseconds
/// (windows align to the epoch, so a monotonic clock would not do).
public protocol OperatorClock: AnyObject {
    func nowMs() -> Int64
}

/// The real wall clock.
public final class SystemClock: OperatorClock {
    public init() {}
    @inline(__always) public func nowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// A clock tests (and replays) set by hand.
public final class ManualClock: OperatorClock {
    public var now: Int64
    public init(_ now: Int64 = 0) { self.now = now }
    public func nowMs() -> Int64 { now }
}
