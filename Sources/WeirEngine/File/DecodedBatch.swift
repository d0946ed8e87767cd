import WeirFormats

/// A block of input lines read and decoded ahead on a file job's reader
/// thread (`DecodeAhead`) and handed to the task thread whole, so the
/// per-record path takes no lock: one hand-over per `capacity` lines.
///
/// Each entry keeps a copy of its line (dead letters and late data write the
/// line verbatim) and, for a decoded record, its row: the reader's processor
/// swaps its row with the batch's (`RecordProcessor.exchangeRow`), nothing is
/// copied. Batches are reused; steady state allocates nothing.
final class DecodedBatch: @unchecked Sendable {
    enum Kind: UInt8 {
        /// A line the reader's processor handled: `outcome` says how.
        case record
        /// A line longer than the job's limit (its start is kept).
        case tooLong
        /// The input `partition` has ended.
        case endOfInput
    }

    struct Entry {
        var kind: Kind
        var outcome: RecordProcessor.Outcome
        var partition: Int32
        /// 1-based, within its input.
        var lineNumber: Int
        /// The line's bytes in `bytes`.
        var start: Int
        var count: Int
    }

    let capacity: Int
    /// Entry i's row is `rows[i]` (meaningful for a record whose outcome is `.emit`).
    let rows: UnsafeMutablePointer<Row>
    @exclusivity(unchecked) private(set) var entries: [Entry] = []
    @exclusivity(unchecked) private(set) var bytes: [UInt8] = []
    /// The reasons of the `.failed` records, in entry order (error path only).
    @exclusivity(unchecked) private(set) var errors: [ProcessingError] = []
    /// Reading failed after the entries: the job fails with this.
    @exclusivity(unchecked) var readError: FileJobError?
    /// The last batch: every input has ended (or the job was stopped).
    @exclusivity(unchecked) var isLast = false
    /// The job was stopped before the end of its input.
    @exclusivity(unchecked) var stopped = false

    init(capacity: Int, makeRow: () -> Row) {
        self.capacity = capacity
        rows = .allocate(capacity: capacity)
        for i in 0..<capacity { (rows + i).initialize(to: makeRow()) }
        entries.reserveCapacity(capacity)
        bytes.reserveCapacity(capacity * 128)
    }

    deinit {
        rows.deinitialize(count: capacity)
        rows.deallocate()
    }

    var isFull: Bool { entries.count == capacity }

    func reset() {
        entries.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
        if !errors.isEmpty { errors.removeAll() }
        readError = nil
        isLast = false
        stopped = false
    }

    /// Adds a line; returns its index (its row is `rows[index]`).
    @inline(__always)
    func append(_ kind: Kind, outcome: RecordProcessor.Outcome = .emit, partition: Int, lineNumber: Int,
                line: UnsafeRawBufferPointer) -> Int {
        let start = bytes.count
        bytes.append(contentsOf: line)
        entries.append(Entry(kind: kind, outcome: outcome, partition: Int32(truncatingIfNeeded: partition),
                             lineNumber: lineNumber, start: start, count: line.count))
        return entries.count - 1
    }

    /// The entries and the lines' bytes, for one pass over the batch.
    @inline(__always)
    func withContents<R>(_ body: (UnsafeBufferPointer<Entry>, UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try entries.withUnsafeBufferPointer { e in try bytes.withUnsafeBytes { try body(e, $0) } }
    }

    func appendError(_ e: ProcessingError) { errors.append(e) }
}
