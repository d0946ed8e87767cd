import WeirFormats

/// Why one record could not be processed by an operator (no key, an aggregate
/// input of the wrong type, ...). The record goes to the dead-letter topic;
/// the message is built only on this error path.
public struct OperatorError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Whether an emitted row is the first result for its (key, window) or a newer
/// version of one already emitted (a late record within the allowed lateness,
/// or a running `reduce`). Sinks treat output as an upsert keyed by the key
/// fields plus `window_start`/`window_end`.
public enum EmitKind: Sendable, Equatable { case insert, update }

/// Where an operator's results go. The task loop implements it with the
/// encoder + transactional producer; tests collect rows.
///
/// `emit` gets the operator's own output row (laid out as the operator's
/// `outputLayout`); it is valid only during the call — encode or copy it.
public protocol OperatorOutput {
    mutating func emit(_ row: Row, kind: EmitKind, partition: Int)
    /// A record too late for every window it belongs to (its windows are
    /// already purged). `row` is the input row; the task loop sends the raw
    /// record to the late-data topic.
    mutating func late(_ row: Row, timestampMs: Int64, partition: Int)
    /// A CEP partial match that `within` timed out, as a row of the operator's
    /// layout, when the job routes them to their own destination (`timedOut`).
    mutating func timedOut(_ row: Row, partition: Int)
}

extension OperatorOutput {
    /// Outputs without a timed-out destination take such rows as output.
    public mutating func timedOut(_ row: Row, partition: Int) { emit(row, kind: .insert, partition: partition) }
}

/// What an operator gets when it opens.
public struct OperatorContext {
    /// Processing time (epoch ms) for processing-time windows.
    public var clock: any OperatorClock
    public init(clock: any OperatorClock = SystemClock()) { self.clock = clock }
}

/// A stateful operator of the per-record path.
///
/// Keyed state is held per *state partition*: the input partition the record
/// came from (the repartition topic's partition when the job repartitions).
/// All records of one key must arrive on one partition — Kafka guarantees it
/// when the key is the message key or after repartitioning — so that each
/// partition's state can be snapshotted, restored and dropped on its own when
/// the partition moves to another task.
///
/// Nothing here is thread-safe: one operator instance belongs to one task thread.
public protocol Operator: AnyObject {
    /// Output field names and the slots of the output row that hold them, for the encoder.
    var outputLayout: [(name: String, slot: Int)] { get }

    /// What each output field (in `outputLayout` order) can hold, given what
    /// input slots can hold (a slot absent from `inputKinds`: anything). The
    /// Avro schema of the results is derived from it (`ResultSchema`).
    func resultTypes(inputKinds: [Int: CellKinds]) -> [ResultFieldType]

    func open(_ context: OperatorContext)

    /// Processes one record. `timestampMs` is its event time (ignored by
    /// processing-time operators, which stamp it with their clock).
    /// `watermarkMs` is the record's partition's watermark including this
    /// record (`Int64.min`: unknown): lateness is judged against it, so that
    /// whether a record counts depends on its own partition's records only,
    /// whichever task reads them (docs/windows.md, "Event time per partition").
    /// It does not fire windows; `onWatermark(_:partition:output:)` does.
    /// Throws for a record that cannot be processed; state is then unchanged.
    func process<O: OperatorOutput>(row: inout Row, timestampMs: Int64, watermarkMs: Int64, partition: Int,
                                    output: inout O) throws(OperatorError)

    /// One partition's watermark advanced: fire and purge its due event-time
    /// windows (and any that are due at its current time). Other partitions
    /// are not touched.
    func onWatermark<O: OperatorOutput>(_ watermarkMs: Int64, partition: Int, output: inout O)

    /// Sets a partition's event time without firing (a restored partition:
    /// the time its checkpoint recorded). The next `onWatermark` for it fires
    /// what is due.
    func restoreWatermark(_ watermarkMs: Int64, partition: Int)

    /// The watermark of every partition advanced to at least `watermarkMs`
    /// (one task reading all of its input, as a file job or the Swift API):
    /// fire and purge due event-time windows of every partition.
    func onWatermark<O: OperatorOutput>(_ watermarkMs: Int64, output: inout O)

    /// Processing time advanced (call about every 100 ms and per batch): fire
    /// due processing-time windows.
    func onProcessingTime<O: OperatorOutput>(nowMs: Int64, output: inout O)

    /// No timer fires before this time (watermark or processing time); `.max`
    /// when none is set. A lower bound is enough: the task loop uses it to open a
    /// transaction when time alone (no record) would make the operator emit.
    var nextTimerMs: Int64 { get }
    /// `nextTimerMs` of one partition's windows.
    func nextTimerMs(partition: Int) -> Int64

    /// The state of one partition, in the format of `docs/state-format.md`.
    func snapshot(partition: Int) -> [UInt8]
    /// One partition's state for a checkpoint: a copy written out later off
    /// the task thread where the operator can copy its state cheaply, else
    /// the snapshot itself (the default).
    func captureState(partition: Int) -> StateCapture
    /// Work that readies the memory of the next captures where it is short
    /// (asked halfway to each periodic checkpoint, run off the task thread); none by default.
    func captureWarmUps() -> [() -> Void]
    /// Replaces one partition's state with a snapshot (one or more chunks of it).
    func restore(partition: Int, chunks: [[UInt8]]) throws(StateFormatError)
    /// Forgets one partition's state (revoked on rebalance).
    func dropPartition(_ partition: Int)
    /// The partitions that have state.
    var partitions: [Int] { get }

    /// End of input: fire every remaining window, then drop window state.
    func flush<O: OperatorOutput>(output: inout O)
    func close()

    /// Keys and entries (windows, or running aggregates) held, over every partition.
    var stateCounts: (keys: Int, entries: Int) { get }
    /// A pattern step's counters (nil for every other operator); cheap, read once per batch.
    var patternCounters: PatternCounters? { get }
    /// The names of the fields the state is keyed by (empty: no keyed state to query).
    var keyFieldNames: [String] { get }
    /// One key's state (`StateQuery.keys`: its possible encodings), as rows
    /// the sink would get if they fired now. On the task's thread only.
    func queryState(keys: [[UInt8]]) -> [StateEntry]
}

extension Operator {
    public var keyFieldNames: [String] { [] }
    public var stateCounts: (keys: Int, entries: Int) { (0, 0) }
    public var patternCounters: PatternCounters? { nil }
    public func queryState(keys: [[UInt8]]) -> [StateEntry] { [] }

    /// A record whose partition's watermark is not known apart from the
    /// operator's time (tests, and runners that give time only through `onWatermark`).
    @inline(__always)
    public func process<O: OperatorOutput>(row: inout Row, timestampMs: Int64, partition: Int,
                                           output: inout O) throws(OperatorError) {
        try process(row: &row, timestampMs: timestampMs, watermarkMs: .min, partition: partition, output: &output)
    }

    /// Without better knowledge, every output field can be anything.
    public func resultTypes(inputKinds: [Int: CellKinds]) -> [ResultFieldType] {
        outputLayout.map { _ in .cells(.any) }
    }

    public func captureState(partition: Int) -> StateCapture {
        StateCapture(bytes: snapshot(partition: partition))
    }

    public func captureWarmUps() -> [() -> Void] { [] }

    /// One partition's snapshot cut into chunks below `maxChunkBytes` (for the
    /// checkpoint's state topic; see docs/state-format.md).
    public func snapshotChunks(partition: Int, maxChunkBytes: Int = StateSnapshot.defaultMaxChunkBytes) -> [[UInt8]] {
        let blob = snapshot(partition: partition)
        return (try? StateSnapshot.split(blob, maxChunkBytes: maxChunkBytes)) ?? [blob]
    }

    /// Restores one partition from a single snapshot blob.
    public func restore(partition: Int, bytes: [UInt8]) throws(StateFormatError) {
        try restore(partition: partition, chunks: [bytes])
    }
}
