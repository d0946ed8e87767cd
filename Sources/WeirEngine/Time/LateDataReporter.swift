/// Decides when a task warns about late data (docs/windows.md, "Late data").
///
/// Late records are counted in metrics either way; a warning is for the
/// unusual case — a partition whose records are judged against a watermark
/// far ahead of them, as happened when partitions moving between tasks were
/// judged by the new owner's watermark. At most one warning per `interval`,
/// and only when the late records of that period reach `minFraction` of the
/// records processed in it (a steady trickle of late data below it is normal
/// for out-of-order sources and stays quiet). Fed once per batch with the
/// batch's counts; no allocation unless it warns.
public struct LateDataReporter: Sendable {
    /// The first late record of a period: what the warning names.
    public struct Sample: Sendable, Equatable {
        public var partition: Int
        public var eventTimeMs: Int64
        /// The partition's watermark the record was judged against.
        public var watermarkMs: Int64
        public init(partition: Int, eventTimeMs: Int64, watermarkMs: Int64) {
            self.partition = partition; self.eventTimeMs = eventTimeMs; self.watermarkMs = watermarkMs
        }
    }

    public struct Warning: Sendable, Equatable {
        public var late: Int
        public var records: Int
        public var sample: Sample
    }

    public let intervalNanos: UInt64
    public let minFraction: Double
    private var periodStart: UInt64?
    private var late = 0, records = 0
    private var sample: Sample?

    /// A period is running: batches without late records must still be fed, to close it.
    public var isInPeriod: Bool { periodStart != nil }

    public init(intervalNanos: UInt64 = 30_000_000_000, minFraction: Double = 0.001) {
        self.intervalNanos = intervalNanos; self.minFraction = minFraction
    }

    /// One batch's counts. Returns a warning at most once per interval: at the
    /// end of a period with late records, or at once for the first late record
    /// after a quiet period.
    public mutating func observe(records batchRecords: Int, late batchLate: Int, sample batchSample: Sample?,
                                 nowNanos: UInt64) -> Warning? {
        guard let start = periodStart else {
            // Quiet: the first late data warns at once, then a period starts.
            guard batchLate > 0, let s = batchSample else { return nil }
            periodStart = nowNanos
            late = 0; records = 0; sample = nil
            guard Double(batchLate) >= minFraction * Double(max(1, batchRecords)) else {
                late = batchLate; records = batchRecords; sample = s
                return nil
            }
            return Warning(late: batchLate, records: batchRecords, sample: s)
        }
        late += batchLate
        records += batchRecords
        if sample == nil { sample = batchSample }
        guard nowNanos &- start >= intervalNanos else { return nil }
        defer {
            // A period without late records ends the warnings until the next late record.
            periodStart = late > 0 ? nowNanos : nil
            late = 0; records = 0; sample = nil
        }
        guard late > 0, let s = sample, Double(late) >= minFraction * Double(max(1, records)) else { return nil }
        return Warning(late: late, records: records, sample: s)
    }
}
