import WeirFormats

/// Where a `RecordChain` sends what it produces for the record being
/// processed: output records, the record itself as a dead letter, or the
/// record itself as late data. A Kafka task's sink produces inside the task's
/// transaction; a file runner's sink writes lines.
///
/// The sink knows the current input record (the task sets it before calling
/// the chain), so dead-letter and late-data writes can carry its original bytes.
public protocol ChainSink: AnyObject {
    func emit(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws
    func deadLetter(_ error: ProcessingError) throws
    func late() throws
    /// An encoded CEP timed-out partial match, for the job's timed-out destination.
    func timedOut(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws
    /// False when `emit` ignores keys (file sinks): operator output rows then skip building one.
    var wantsKeys: Bool { get }
    /// What follows is output of input (state) partition `partition`; -1:
    /// not one partition's (processing-time windows, the end-of-input flush).
    /// A files sink keeps each partition's rows in its own files.
    func outputPartition(_ partition: Int)
    /// True when output must be told apart by partition (files sink): the
    /// end-of-input flush then fires each partition's windows on its own first.
    var splitsByPartition: Bool { get }
    /// True when the sink takes output rows as the pipeline produced them
    /// (`emit(row:encoded:)`), not encoded bytes: the files sink, which then
    /// reads the cells it writes without parsing them back out of JSON.
    var takesRows: Bool { get }
    /// With `takesRows`: whether `emit(row:encoded:)` needs the row encoded too (JSON lines).
    var wantsEncodedRows: Bool { get }
    /// One output row (`takesRows`), with its encoding when `wantsEncodedRows`.
    /// The row and bytes are valid only during the call.
    func emit(row: Row, encoded: UnsafeRawBufferPointer?) throws
}

extension ChainSink {
    /// Sinks of jobs without a timed-out destination never get one (the operator emits them as output or counts them).
    public func timedOut(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws {}
    public var wantsKeys: Bool { true }
    @inline(__always) public func outputPartition(_ partition: Int) {}
    public var splitsByPartition: Bool { false }
    public var takesRows: Bool { false }
    public var wantsEncodedRows: Bool { true }
    /// Sinks of encoded bytes never get rows (`takesRows` is false).
    public func emit(row: Row, encoded: UnsafeRawBufferPointer?) throws {
        try emit(key: nil, value: encoded ?? UnsafeRawBufferPointer(start: nil, count: 0))
    }
}
