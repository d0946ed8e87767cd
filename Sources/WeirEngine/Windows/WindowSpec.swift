/// Which windows a keyed window operator builds.
public enum WindowSpec: Sendable, Equatable {
    /// Fixed, non-overlapping windows `[start, start + size)` with
    /// `start ≡ offset (mod size)`.
    case tumbling(sizeMs: Int64, offsetMs: Int64 = 0)
    /// Windows of `size` starting every `slide` (hopping); a record is in
    /// `size / slide` windows (rounded up).
    case sliding(sizeMs: Int64, slideMs: Int64, offsetMs: Int64 = 0)
    /// Per key, records less than `gap` apart form one session `[first, last + gap)`.
    case session(gapMs: Int64)

    /// Sizes are limited so that window arithmetic cannot overflow with event
    /// times within ±2^62 ms.
    public static let maxSizeMs: Int64 = 1 << 60

    public var isMerging: Bool { if case .session = self { return true } else { return false } }

    func validate() throws(WindowConfigError) {
        switch self {
        case .tumbling(let size, let offset):
            guard size > 0, size <= Self.maxSizeMs else { throw WindowConfigError("tumbling window size must be in 1...2^60 ms") }
            guard offset > -size && offset < size else { throw WindowConfigError("tumbling window offset must be within (-size, size)") }
        case .sliding(let size, let slide, let offset):
            guard size > 0, size <= Self.maxSizeMs else { throw WindowConfigError("sliding window size must be in 1...2^60 ms") }
            guard slide > 0, slide <= size else { throw WindowConfigError("sliding window slide must be in 1...size") }
            guard offset > -slide && offset < slide else { throw WindowConfigError("sliding window offset must be within (-slide, slide)") }
        case .session(let gap):
            guard gap > 0, gap <= Self.maxSizeMs else { throw WindowConfigError("session gap must be in 1...2^60 ms") }
        }
    }
}

/// Event time (timestamps from the records, fired by the watermark) or
/// processing time (the operator stamps records with its clock, fired by
/// processing-time timers).
public enum TimeDomain: String, Sendable, Equatable { case eventTime, processingTime }

/// A configuration the operator refuses (reported before the job starts).
public struct WindowConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
