/// What the first stage of a repartitioned pipeline tells the second about
/// event time: the watermark of each source partition it owns, written into
/// every partition of the repartition topic at each checkpoint (inside the
/// transaction, after the records it covers). Flink carries watermarks through
/// a network shuffle the same way, as the minimum over input channels; the
/// second stage takes the minimum over all source partitions
/// (`UpstreamWatermarks`), so a record is late there only if it would be late
/// in a single task reading every source partition.
///
/// On the wire: a record with an empty value, no key and the header
/// `weir.watermarks` holding, big-endian:
/// `version u8 (1) · topicCount u16 · partitionCount i32 per topic ·
///  entryCount u32 · entries (topicIndex u16 · partition i32 · watermark i64 · flags u8)`.
/// Flag bit 0: the partition is idle (it does not hold the watermark back).
public struct WatermarkAnnouncement: Equatable, Sendable {
    public static let header = "weir.watermarks"
    static let version: UInt8 = 1

    public struct Entry: Equatable, Sendable {
        public var topicIndex: Int
        public var partition: Int32
        /// Int64.min: the partition has no record yet (it holds the watermark back).
        public var watermark: Int64
        public var idle: Bool

        public init(topicIndex: Int, partition: Int32, watermark: Int64, idle: Bool) {
            self.topicIndex = topicIndex; self.partition = partition; self.watermark = watermark; self.idle = idle
        }
    }

    /// Partitions of each source topic (in the job's source order), so the
    /// second stage knows whom to wait for.
    public var partitionCounts: [Int32]
    public var entries: [Entry]

    public init(partitionCounts: [Int32], entries: [Entry]) {
        self.partitionCounts = partitionCounts; self.entries = entries
    }

    public func encoded() -> [UInt8] {
        var out: [UInt8] = [Self.version]
        out.reserveCapacity(3 + 4 * partitionCounts.count + 4 + 15 * entries.count)
        append(UInt64(partitionCounts.count), bytes: 2, to: &out)
        for c in partitionCounts { append(UInt64(UInt32(bitPattern: c)), bytes: 4, to: &out) }
        append(UInt64(entries.count), bytes: 4, to: &out)
        for e in entries {
            append(UInt64(e.topicIndex), bytes: 2, to: &out)
            append(UInt64(UInt32(bitPattern: e.partition)), bytes: 4, to: &out)
            append(UInt64(bitPattern: e.watermark), bytes: 8, to: &out)
            out.append(e.idle ? 1 : 0)
        }
        return out
    }

    /// nil for anything that is not a well-formed version-1 announcement
    /// (the repartition topic is internal, but its bytes still come from outside).
    public init?(decoding bytes: UnsafeRawBufferPointer) {
        var r = Reader(bytes: bytes)
        guard r.read(1) == UInt64(Self.version), let topics = r.read(2), topics > 0, topics <= 1024 else { return nil }
        var counts: [Int32] = []
        for _ in 0..<topics {
            guard let c = r.read(4), c > 0, c <= 1 << 20 else { return nil }
            counts.append(Int32(c))
        }
        guard let n = r.read(4), n <= UInt64(bytes.count) else { return nil }
        var entries: [Entry] = []
        entries.reserveCapacity(Int(n))
        for _ in 0..<n {
            guard let t = r.read(2), let p = r.read(4), let w = r.read(8), let f = r.read(1),
                  t < topics, Int32(truncatingIfNeeded: p) >= 0, Int32(truncatingIfNeeded: p) < counts[Int(t)] else { return nil }
            entries.append(Entry(topicIndex: Int(t), partition: Int32(truncatingIfNeeded: p),
                                 watermark: Int64(bitPattern: w), idle: f & 1 != 0))
        }
        guard r.atEnd else { return nil }
        self.init(partitionCounts: counts, entries: entries)
    }

    private func append(_ v: UInt64, bytes: Int, to out: inout [UInt8]) {
        for i in stride(from: bytes - 1, through: 0, by: -1) { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var at = 0
        var atEnd: Bool { at == bytes.count }
        mutating func read(_ n: Int) -> UInt64? {
            guard bytes.count - at >= n else { return nil }
            var v: UInt64 = 0
            for i in 0..<n { v = v << 8 | UInt64(bytes[at + i]) }
            at += n
            return v
        }
    }
}
