import WeirFormats

/// Runs a compiled `RecordProgram` on one record at a time: decode the
/// projected fields, run the steps, encode the output.
///
/// One per task thread. Nothing here allocates per record in steady state: the
/// row, the decoder's parser memory and the encoder's buffer are all reused.
public final class RecordProcessor {
    public enum Outcome { case emit, filtered, failed }

    public let program: RecordProgram
    private let decoder: JSONRowDecoder
    private let encoder = JSONRowEncoder()
    private let projected: JSONOutputLayout?
    private let edited: JSONEditLayout?
    // Hot properties skip dynamic exclusivity checks: one task thread owns the processor and no access overlaps.
    @exclusivity(unchecked) private var row: Row
    @exclusivity(unchecked) private var key = MessageKey()
    @exclusivity(unchecked) private var hasOutputKey = false

    /// The reason of the last `.failed` outcome.
    @exclusivity(unchecked) public private(set) var lastError = ProcessingError(.decode, "")

    public init(program: RecordProgram) {
        self.program = program
        switch program.output {
        case .original:
            projected = nil; edited = nil
            decoder = JSONRowDecoder(fields: program.inputFields)
        case .edited(let removed, let append):
            let layout = JSONEditLayout(removed: removed, append: append)
            projected = nil; edited = layout
            decoder = JSONRowDecoder(fields: program.inputFields, captureTopLevel: true,
                                     droppedTopLevelKeys: layout.droppedKeys)
        case .projected(let fields):
            projected = JSONOutputLayout(fields); edited = nil
            decoder = JSONRowDecoder(fields: program.inputFields)
        }
        row = Row(slotCount: program.slotCount)
    }

    /// Processes one record value. After `.emit`, call `withOutput` to read the
    /// bytes to produce.
    public func process(_ value: UnsafeRawBufferPointer?) -> Outcome {
        guard let value, value.count > 0 else {
            lastError = ProcessingError(.missingValue, "record has no value")
            return .failed
        }
        row.reset()
        do {
            try decoder.decode(value, into: &row)
        } catch {
            lastError = ProcessingError(.decode, error.description)
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
        return .emit
    }

    /// Calls `body` with (key, value) of the record just processed. `inputKey`
    /// is used when the pipeline does not compute a key. Returns nil (and sets
    /// `lastError`) when the output cannot be encoded.
    @inline(__always)
    public func withOutput<R>(input: UnsafeRawBufferPointer, inputKey: UnsafeRawBufferPointer?,
                              _ body: (UnsafeRawBufferPointer?, UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        let value: UnsafeRawBufferPointer
        do {
            if let edited {
                value = try encoder.encodeEdited(original: input, members: decoder.topLevelMembers, layout: edited, row: row)
            } else if let projected {
                value = try encoder.encodeProjected(row: row, layout: projected)
            } else {
                value = input
            }
        } catch {
            lastError = ProcessingError(.encode, "\(error)")
            return nil
        }
        if program.outputKey == nil { return try body(inputKey, value) }
        if !hasOutputKey { return try body(nil, value) }
        return try key.bytes.withUnsafeBytes { try body($0, value) }
    }

    /// Gives a stateful operator the decoded row of the record just processed.
    @inline(__always)
    public func withRow<R>(_ body: (inout Row) throws -> R) rethrows -> R { try body(&row) }
}
