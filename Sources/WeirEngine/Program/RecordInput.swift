import WeirFormats

/// The source format's decoder: JSON (yajl; Confluent frames stripped) or
/// Confluent-framed Avro (writer schemas from the registry).
final class RecordInput {
    private let json: JSONRowDecoder?
    private let avro: AvroRowDecoder?
    /// Edited/original output as JSON needs the input as a JSON object; for
    /// Avro the decoder renders it (`AvroRowDecoder.renderedSpan`).
    let rendersWhole: Bool

    init(json program: RecordProgram) {
        switch program.output {
        case .edited(let removed, let append):
            json = JSONRowDecoder(fields: program.inputFields, captureTopLevel: true,
                                  droppedTopLevelKeys: JSONEditLayout(removed: removed, append: append).droppedKeys)
        case .original, .projected:
            json = JSONRowDecoder(fields: program.inputFields)
        }
        avro = nil
        rendersWhole = false
    }

    init(job: JobSpec, registry: (any TaskSchemaRegistry)?) throws(ProcessingError) {
        switch job.source.format {
        case .json, .jsonSchema:
            self.json = RecordInput(json: job.program).json
            avro = nil
            rendersWhole = false
        case .avro:
            guard let registry else {
                throw ProcessingError(.unavailable, "format avro needs a schema registry: set schemaRegistry.url in the pipeline or service configuration")
            }
            // JSON output of the whole (or edited) record needs it rendered;
            // Avro output re-encodes from slots, or passes the bytes through.
            // (A keyed window/reduce stage writes its own rows: nothing to render then.)
            let sinkIsJSON = job.sink.format != .avro && job.stateful == nil
            var render = false
            var dropped: Set<String> = []
            switch job.program.output {
            case .original: render = sinkIsJSON
            case .edited(let removed, let append):
                render = sinkIsJSON
                dropped = JSONEditLayout(removed: removed, append: append).droppedKeys
            case .projected: break
            }
            json = nil
            avro = AvroRowDecoder(fields: job.program.inputFields, readerSchema: job.formats.readerSchema, source: registry,
                                  renderWhole: render, droppedTopLevelKeys: dropped)
            rendersWhole = render
        }
    }

    @inline(__always) func decode(_ value: UnsafeRawBufferPointer, into row: inout Row) throws(DecodeError) {
        if let json { try json.decode(value, into: &row) } else if let avro { try avro.decode(value, into: &row) }
    }

    /// The input as JSON text and its top-level members (edited output).
    @inline(__always) func withJSONObject<R>(original: UnsafeRawBufferPointer, row: Row,
                                             _ body: (UnsafeRawBufferPointer, JSONTopLevelMembers) throws -> R) rethrows -> R {
        if let avro, rendersWhole {
            return try row.withBytes(avro.renderedSpan) { try body($0, avro.topLevelMembers) }
        }
        return try body(original, json?.topLevelMembers ?? JSONTopLevelMembers.empty)
    }

    var isAvro: Bool { avro != nil }
}
