import CYajl

/// Writes rows as JSON objects with yajl's generator. One generator is reused
/// for every record (`yajl_gen_clear` + `yajl_gen_reset`), and its buffer and
/// the edited-output buffer keep their capacity, so steady state allocates
/// nothing. One encoder per task thread; not thread-safe.
///
/// Values: `.missing` fields are left out, `.null` is null, integers are
/// written as integers, doubles in their shortest round-trip form (non-finite
/// doubles, which JSON cannot express, are written as null), strings are
/// escaped by yajl after a UTF-8 check, and `.json` fragments are copied
/// verbatim.
public final class JSONRowEncoder {
    private let generator: yajl_gen?          // nil only if malloc failed at init: every encode then throws
    private var edited = RawGrowableBuffer<UInt8>()

    public init() {
        generator = yajl_gen_alloc(nil)
    }

    deinit {
        if let generator { yajl_gen_free(generator) }
        edited.deallocate()
    }

    /// An object of the layout's fields (`RecordProgram.Output.projected`).
    /// The bytes are valid until the next call on this encoder, and only while it lives.
    public func encodeProjected(row: Row, layout: JSONOutputLayout) throws(EncodeError) -> UnsafeRawBufferPointer {
        let gen = try generateObject(row: row, layout: layout)
        var buffer: UnsafePointer<UInt8>?
        var length = 0
        yajl_gen_get_buf(gen, &buffer, &length)
        return UnsafeRawBufferPointer(start: buffer, count: length)
    }

    /// The original object's members in order, minus those the decoder flagged
    /// as dropped (their bytes copied verbatim), then the layout's appended
    /// fields (`RecordProgram.Output.edited`).
    ///
    /// - Parameters:
    ///   - original: the same bytes that were given to `JSONRowDecoder.decode`.
    ///   - members: that decoder's `topLevelMembers` for this record.
    /// The bytes are valid until the next call on this encoder, and only while it lives.
    public func encodeEdited(original: UnsafeRawBufferPointer, members: JSONTopLevelMembers,
                             layout: JSONEditLayout, row: Row) throws(EncodeError) -> UnsafeRawBufferPointer {
        guard members.inputCount == original.count, let source = original.baseAddress else {
            throw EncodeError(.membersMismatch, "captured members describe \(members.inputCount) bytes, original has \(original.count)")
        }
        // The appended fields go through the generator as an object of their own;
        // its inside is spliced after the kept members.
        let gen = try generateObject(row: row, layout: layout.appended)
        var generated: UnsafePointer<UInt8>?
        var generatedCount = 0
        yajl_gen_get_buf(gen, &generated, &generatedCount)

        // Consecutive kept members are copied as one run, with the original
        // separators and whitespace between them. (Plain index loops and a
        // struct, not closures or iterators: unoptimized builds would box
        // captured variables and generic iterators on the heap per record.)
        var out = EditedWriter(buffer: edited)
        out.byte(UInt8(ascii: "{"))
        var runStart = -1, runEnd = -1
        var i = 0
        while i < members.count {
            let m = members[i]
            i += 1
            let start = Int(m.keyStart), end = Int(m.valueEnd)
            guard start >= 0, start < end, end <= original.count else {
                edited = out.buffer
                throw EncodeError(.membersMismatch, "member bytes \(start)..<\(end) outside the original")
            }
            if m.dropped {
                if runStart >= 0 { out.member(source + runStart, runEnd - runStart); runStart = -1 }
                continue
            }
            if runStart < 0 { runStart = start }
            runEnd = end
        }
        if runStart >= 0 { out.member(source + runStart, runEnd - runStart) }
        if let generated, generatedCount > 2 {       // "{}" has no inside
            out.member(UnsafeRawPointer(generated + 1), generatedCount - 2)
        }
        out.byte(UInt8(ascii: "}"))
        edited = out.buffer
        guard out.ok else { throw EncodeError(.generator, "out of memory for the output") }
        return UnsafeRawBufferPointer(start: edited.base, count: edited.count)
    }

    /// Appends the edited object's pieces, remembering whether memory ran out.
    private struct EditedWriter {
        var buffer: RawGrowableBuffer<UInt8>
        var ok = true
        var wroteMember = false

        init(buffer: RawGrowableBuffer<UInt8>) {
            self.buffer = buffer
            self.buffer.removeAll()
        }

        mutating func byte(_ b: UInt8) { ok = buffer.append(b) && ok }

        /// Member text (or several members with their separators), after a comma if needed.
        mutating func member(_ p: UnsafeRawPointer, _ n: Int) {
            if wroteMember { byte(UInt8(ascii: ",")) }
            ok = buffer.append(contentsOf: p.assumingMemoryBound(to: UInt8.self), count: n) && ok
            wroteMember = true
        }
    }

    // MARK: generation

    /// Generates the layout's object into the generator's buffer and returns the generator.
    private func generateObject(row: Row, layout: JSONOutputLayout) throws(EncodeError) -> yajl_gen {
        guard let gen = generator else { throw EncodeError(.generator, "no generator (out of memory at init)") }
        yajl_gen_clear(gen)
        yajl_gen_reset(gen, nil)
        let failure: EncodeError? = row.arena.withUnsafeBytes { arena in
            row.cells.withUnsafeBufferPointer { cells in
                writeObject(gen, cells, arena, layout)
            }
        }
        if let failure {
            yajl_gen_clear(gen)
            yajl_gen_reset(gen, nil)
            throw failure
        }
        return gen
    }

    private func writeObject(_ gen: yajl_gen, _ cells: UnsafeBufferPointer<Cell>, _ arena: UnsafeRawBufferPointer,
                             _ layout: JSONOutputLayout) -> EncodeError? {
        guard yajl_gen_map_open(gen) == yajl_gen_status_ok else { return EncodeError(.generator, "map open refused") }
        for i in 0..<layout.count {
            let slot = layout.slot(i)
            guard slot >= 0, slot < cells.count else {
                return EncodeError(.slotOutOfRange, field: layout.fields[i].name, "slot \(slot) of \(cells.count)")
            }
            let cell = cells[slot]
            if case .missing = cell { continue }
            let (name, nameCount) = layout.name(i)
            var status = yajl_gen_string(gen, name, nameCount)
            if status == yajl_gen_status_ok {
                switch write(gen, cell, arena) {
                case .success(let s): status = s
                case .failure(let kind, let message): return EncodeError(kind, field: layout.fields[i].name, message)
                }
            }
            guard status == yajl_gen_status_ok else {
                return EncodeError(.generator, field: layout.fields[i].name, "yajl_gen status \(status.rawValue)")
            }
        }
        guard yajl_gen_map_close(gen) == yajl_gen_status_ok else { return EncodeError(.generator, "map close refused") }
        return nil
    }

    private enum WriteResult {
        case success(yajl_gen_status)
        case failure(EncodeError.Kind, String)
    }

    private func write(_ gen: yajl_gen, _ cell: Cell, _ arena: UnsafeRawBufferPointer) -> WriteResult {
        switch cell {
        case .missing, .null:
            return .success(yajl_gen_null(gen))
        case .bool(let b):
            return .success(yajl_gen_bool(gen, b ? 1 : 0))
        case .int(let v):
            let text = DecimalInteger(v)
            return .success(text.withBytes { yajl_gen_number(gen, UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self), $1) })
        case .double(let v):
            guard v.isFinite else { return .success(yajl_gen_null(gen)) }   // JSON has no NaN/Infinity
            let text = ShortestDouble(v)
            return .success(text.withBytes { yajl_gen_number(gen, UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self), $1) })
        case .string(let span):
            guard let (p, n) = bytes(span, arena) else { return .failure(.spanOutOfRange, "string span outside the row arena") }
            guard UTF8Validation.isValid(p, count: n) else { return .failure(.invalidUTF8, "string is not valid UTF-8") }
            return .success(yajl_gen_string(gen, p, n))
        case .json(let span):
            guard let (p, n) = bytes(span, arena), n > 0 else { return .failure(.spanOutOfRange, "JSON span outside the row arena") }
            // yajl_gen_number emits raw text with the right separator and state
            // change, which is what a verbatim fragment needs; the fragment is
            // trusted to be valid JSON (the decoder copies it from validated input).
            return .success(yajl_gen_number(gen, UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self), n))
        }
    }

    @inline(__always) private func bytes(_ span: ByteSpan, _ arena: UnsafeRawBufferPointer) -> (UnsafePointer<UInt8>, Int)? {
        let start = Int(span.start), count = Int(span.count)
        guard start >= 0, count >= 0, start + count <= arena.count else { return nil }
        guard let base = arena.baseAddress else { return count == 0 ? (Self.empty, 0) : nil }
        return ((base + start).assumingMemoryBound(to: UInt8.self), count)
    }

    private static let empty: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1); p.initialize(to: 0); return UnsafePointer(p)
    }()
}
