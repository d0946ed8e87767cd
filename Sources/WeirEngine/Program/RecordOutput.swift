import WeirFormats

/// The sink format's encoder: JSON (original bytes, edited or projected
/// objects), Avro (Confluent-framed, schema registered under the sink's
/// subject at start), or JSON with a Confluent frame (JSON Schema).
final class RecordOutput {
    private let program: RecordProgram
    private let json = JSONRowEncoder()
    private let projected: JSONOutputLayout?
    private let edited: JSONEditLayout?
    private let avro: AvroRowEncoder?
    /// Avro in, Avro out, record unchanged: the input bytes as they are.
    private let passThrough: Bool
    /// JSON Schema output: the frame header written before the JSON.
    private let frame: [UInt8]?
    private let framed = RawBytes()

    init(json program: RecordProgram, renderedInput: Bool) {
        self.program = program
        (projected, edited) = Self.layouts(program)
        avro = nil; passThrough = false; frame = nil
    }

    init(job: JobSpec, registry: (any TaskSchemaRegistry)?, renderedInput: Bool) throws(ProcessingError) {
        program = job.program
        (projected, edited) = Self.layouts(job.program)
        let sink = job.sink
        // A stateful job's output rows come from its operator and are encoded
        // by `ResultEncoder`; the program's own output is never written.
        let format = job.stateful == nil ? sink.format : .json
        switch format {
        case .json:
            avro = nil; passThrough = false; frame = nil
        case .avro, .jsonSchema:
            if sink.format == .avro, job.source.format == .avro, case .original = job.program.output, job.formats.output == nil {
                avro = nil; passThrough = true; frame = nil          // records unchanged: bytes and schema id kept
                return
            }
            guard let out = job.formats.output else {
                throw ProcessingError(.encode, "format \(sink.format.rawValue) on the sink needs sink.schema")
            }
            guard let registry else {
                throw ProcessingError(.unavailable, "format \(sink.format.rawValue) needs a schema registry: set schemaRegistry.url")
            }
            let subject = out.subjectStrategy.subject(topic: sink.topic, recordName: out.recordName)
            let id: Int
            do { id = try registry.registerBlocking(subject: subject, schema: out.text, schemaType: out.kind == .avro ? nil : "JSON") }
            catch { throw ProcessingError(error.kind == .unavailable ? .unavailable : .encode, "registering the output schema: \(error)") }
            passThrough = false
            if sink.format == .avro, let schema = out.avro {
                do { avro = try AvroRowEncoder(schema: schema, schemaID: UInt32(truncatingIfNeeded: id), slots: out.slots) }
                catch { throw ProcessingError(.encode, "\(error)") }
                frame = nil
            } else {
                avro = nil
                frame = ConfluentFrame.header(schemaID: UInt32(truncatingIfNeeded: id))
            }
        }
    }

    private static func layouts(_ program: RecordProgram) -> (JSONOutputLayout?, JSONEditLayout?) {
        switch program.output {
        case .original: return (nil, nil)
        case .edited(let removed, let append): return (nil, JSONEditLayout(removed: removed, append: append))
        case .projected(let fields): return (JSONOutputLayout(fields), nil)
        }
    }

    @inline(__always)
    func encode(original: UnsafeRawBufferPointer, input: RecordInput, row: Row) throws -> UnsafeRawBufferPointer {
        if passThrough { return original }
        if let avro { return try avro.encode(row: row) }
        let text: UnsafeRawBufferPointer
        if let edited {
            text = try input.withJSONObject(original: original, row: row) { object, members in
                try json.encodeEdited(original: object, members: members, layout: edited, row: row)
            }
        } else if let projected {
            text = try json.encodeProjected(row: row, layout: projected)
        } else if input.rendersWhole {
            // Avro input, JSON output of the whole record: its rendering (copied
            // out of the row so the bytes outlive this call's borrow).
            text = input.withJSONObject(original: original, row: row) { object, _ in framed.set(object) }
            if frame == nil { return text }
        } else {
            text = original
        }
        guard let frame else { return text }
        return framed.set(frame, text)
    }
}

/// A reusable byte buffer for output that must be assembled (frame + JSON);
/// malloc'd so the bytes handed out stay put until the next `set`.
final class RawBytes {
    private var base = UnsafeMutablePointer<UInt8>.allocate(capacity: 4096)
    private var capacity = 4096
    private var count = 0

    deinit { base.deallocate() }

    private func reserve(_ n: Int) {
        guard n > capacity else { return }
        var c = capacity
        while c < n { c *= 2 }
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        b.update(from: base, count: count)
        base.deallocate()
        base = b; capacity = c
    }

    private func append(_ a: UnsafeRawBufferPointer) {
        guard let p = a.baseAddress, a.count > 0 else { return }
        reserve(count + a.count)
        (base + count).update(from: p.assumingMemoryBound(to: UInt8.self), count: a.count)
        count += a.count
    }

    func set(_ a: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        count = 0
        append(a)
        return UnsafeRawBufferPointer(start: base, count: count)
    }

    func set(_ header: [UInt8], _ body: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        count = 0
        header.withUnsafeBytes { append($0) }
        // A body that is itself framed (framed JSON passed through) loses its old frame.
        let plain = body.count >= ConfluentFrame.headerSize && body[0] == ConfluentFrame.magicByte
            ? UnsafeRawBufferPointer(rebasing: body[ConfluentFrame.headerSize...]) : body
        append(plain)
        return UnsafeRawBufferPointer(start: base, count: count)
    }
}
