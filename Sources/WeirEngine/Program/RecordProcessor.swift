import WeirFormats

/// Runs a compiled `RecordProgram` on one record at a time: decode the
/// projected fields, run the steps, encode the output.
///
/// One per task thread. Nothing here allocates per record in steady state: the
/// row, the decoder's parser memory and the encoder's buffer are all reused.
public final class RecordProcessor {
    public enum Outcome { case emit, filtered, failed }

    public let program: RecordProgram
    private let input: RecordInput
    private let output: RecordOutput
    private let required: [(name: String, slot: Int)]
    // Hot properties skip dynamic exclusivity checks: one task thread owns the processor and no access overlaps.
    @exclusivity(unchecked) private var row: Row
    @exclusivity(unchecked) private var key = MessageKey()
    @exclusivity(unchecked) private var hasOutputKey = false
    /// The repartition key of the record just processed (reused buffer).
    @exclusivity(unchecked) private var partitionKey: [UInt8] = []
    /// The event time the repartition key read from its time field (first
    /// stage; nil otherwise), for the watermarks it announces.
    @exclusivity(unchecked) public private(set) var eventTimeMs: Int64?

    /// The reason of the last `.failed` outcome.
    @exclusivity(unchecked) public private(set) var lastError = ProcessingError(.decode, "")

    /// A JSON-in, JSON-out processor.
    public convenience init(program: RecordProgram) {
        // JSON needs no registry: this cannot fail.
        self.init(program: program, input: RecordInput(json: program), output: RecordOutput(json: program, renderedInput: false), required: [])
    }

    /// The processor for a job's formats. Registers the output schema when
    /// the sink needs one (blocking: call on the task's own thread).
    public convenience init(job: JobSpec) throws {
        let registry = try job.formats.inProcessRegistry ?? job.formats.registry.map { config throws(ProcessingError) -> any TaskSchemaRegistry in
            do { return try SchemaRegistryClients.shared(config) }
            catch { throw ProcessingError(.unavailable, "\(error)") }
        }
        let input = try RecordInput(job: job, registry: registry)
        let output = try RecordOutput(job: job, registry: registry, renderedInput: input.rendersWhole)
        self.init(program: job.program, input: input, output: output, required: job.formats.required)
    }

    private init(program: RecordProgram, input: RecordInput, output: RecordOutput, required: [(name: String, slot: Int)]) {
        self.program = program
        self.input = input
        self.output = output
        self.required = required
        row = Row(slotCount: program.slotCount)
        partitionKey.reserveCapacity(program.repartitionKey == nil ? 0 : 256)
    }

    /// Processes one record value. After `.emit`, call `withOutput` to read the
    /// bytes to produce.
    public func process(_ value: UnsafeRawBufferPointer?) -> Outcome {
        guard let value, value.count > 0 else {
            lastError = ProcessingError(.missingValue, "record has no value")
            return .failed
        }
        do {
            try input.decode(value, into: &row)
        } catch {
            lastError = ProcessingError(error.kind == .registryUnavailable ? .unavailable : .decode, error.description)
            return .failed
        }
        for r in required where row.cells[r.slot].isNullish {
            lastError = ProcessingError(.missingField, "required field '\(r.name)' is \(row.cells[r.slot] == .null ? "null" : "missing")")
            return .failed
        }
        do {
            for step in program.steps {
                switch step {
                case .filter(let e):
                    if !(try e.evaluate(&row)).isTrue { return .filtered }
                case .assign(let slot, let e):
                    row.cells[slot] = try e.evaluate(&row)
                }
            }
            if let k = program.outputKey {
                let cell = try k.evaluate(&row)
                hasOutputKey = key.set(cell, in: row)
            }
        } catch {
            lastError = ProcessingError(.expression, error.message)
            return .failed
        }
        if let r = program.repartitionKey {
            do { eventTimeMs = try r.encode(row, into: &partitionKey) } catch {
                lastError = error
                return .failed
            }
        }
        return .emit
    }

    /// Calls `body` with (key, value) of the record just processed. `inputKey`
    /// is used when the pipeline does not compute a key. Returns nil (and sets
    /// `lastError`) when the output cannot be encoded.
    @inline(__always)
    public func withOutput<R>(input original: UnsafeRawBufferPointer, inputKey: UnsafeRawBufferPointer?,
                              _ body: (UnsafeRawBufferPointer?, UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        let value: UnsafeRawBufferPointer
        do {
            value = try output.encode(original: original, input: input, row: row)
        } catch {
            lastError = ProcessingError(.encode, "\(error)")
            return nil
        }
        if program.repartitionKey != nil { return try partitionKey.withUnsafeBytes { try body($0, value) } }
        if program.outputKey == nil { return try body(inputKey, value) }
        if !hasOutputKey { return try body(nil, value) }
        return try key.bytes.withUnsafeBytes { try body($0, value) }
    }

    /// Swaps the decoded row of the record just processed with `other` (a
    /// row of the same program, decoded into next): hands the row to another
    /// thread without copying it. Both keep their arrays' capacity.
    @inline(__always)
    public func exchangeRow(_ other: inout Row) { swap(&row, &other) }

    /// A row shaped for this program (for rows handed around by `exchangeRow`).
    public func makeRow(arenaCapacity: Int) -> Row { Row(slotCount: program.slotCount, arenaCapacity: arenaCapacity) }

    /// Gives a stateful operator the decoded row of the record just processed.
    @inline(__always)
    public func withRow<R>(_ body: (inout Row) throws -> R) rethrows -> R { try body(&row) }
}
