import CYajl

/// Decodes one JSON record into a flat `Row` of the fields a pipeline reads
/// (projection), with yajl's streaming parser: no tree is built, and in steady
/// state nothing is allocated (yajl's memory comes from a per-decoder arena,
/// strings and fragments are copied into the row's arena).
///
/// One decoder per task thread; it is not thread-safe. See docs/json.md.
public final class JSONRowDecoder {
    public let fields: [FieldPath]
    public let limits: JSONLimits
    public let captureTopLevel: Bool
    public let framing: ConfluentFrame.Expectation
    /// Schema id of the last record's Confluent frame, nil if it had none.
    @exclusivity(unchecked) public private(set) var lastSchemaID: UInt32?

    private let matcher: JSONFieldMatcher
    private let arena: YajlArena
    private let state: UnsafeMutablePointer<JSONParseState>
    private let callbacks: UnsafeMutablePointer<yajl_callbacks>

    /// - Parameters:
    ///   - fields: the projection; slot i of the row receives `fields[i]`.
    ///   - captureTopLevel: also record each top-level member's key and value
    ///     span (`topLevelMembers`), for `JSONRowEncoder.encodeEdited`.
    ///   - droppedTopLevelKeys: keys whose captured members are flagged `dropped`
    ///     (pass `JSONEditLayout.droppedKeys`).
    ///   - framing: whether a Confluent frame is stripped, allowed or required.
    public init(fields: [FieldPath], limits: JSONLimits = .default, captureTopLevel: Bool = false,
                droppedTopLevelKeys: Set<String> = [], framing: ConfluentFrame.Expectation = .allowed) {
        self.fields = fields
        self.limits = limits
        self.captureTopLevel = captureTopLevel
        self.framing = framing
        matcher = JSONFieldMatcher(fields: fields, droppedTopLevelKeys: captureTopLevel ? droppedTopLevelKeys : [])
        // yajl needs ~2.5 KiB per document plus twice the longest escaped string;
        // the cap keeps one hostile record from pinning unbounded memory.
        arena = YajlArena(initialCapacity: 32 << 10, maxCapacity: 4 * limits.maxBytes + (64 << 10))
        state = .allocate(capacity: 1)
        state.initialize(to: JSONParseState(matcher: matcher.view, nodeCount: matcher.nodeCount,
                                            maxDepth: limits.maxDepth, capture: captureTopLevel))
        callbacks = .allocate(capacity: 1)
        callbacks.initialize(to: JSONParseCallbacks.table)
    }

    deinit {
        state.pointee.deallocate()
        state.deinitialize(count: 1); state.deallocate()
        callbacks.deinitialize(count: 1); callbacks.deallocate()
    }

    /// Decodes one record into `row`.
    ///
    /// The decoder resets `row` itself first (every cell `.missing`, arena
    /// emptied), so callers need not, and a failed record leaves no stale or
    /// partial cells behind: on error the row is reset again. Slots beyond the
    /// projection (computed values) are reset too.
    public func decode(_ bytes: UnsafeRawBufferPointer, into row: inout Row) throws(DecodeError) {
        row.reset()
        if row.cells.count < fields.count {           // a row too small for the projection: widen once
            row.cells.append(contentsOf: repeatElement(Cell.missing, count: fields.count - row.cells.count))
        }
        state.pointee.beginRecord()
        if lastSchemaID != nil { lastSchemaID = nil }

        var payload = bytes
        var frameOffset = 0
        if framing != .plain {
            if bytes.count > 0, bytes[0] == ConfluentFrame.magicByte {
                guard bytes.count >= ConfluentFrame.headerSize else {
                    throw DecodeError(.badFrame, offset: 0, "Confluent frame header cut short (\(bytes.count) bytes)")
                }
                let frame = ConfluentFrame.parse(bytes)
                lastSchemaID = frame.schemaID
                payload = frame.payload
                frameOffset = ConfluentFrame.headerSize
            } else if framing == .required {
                throw DecodeError(.badFrame, offset: 0, "expected a Confluent frame (magic byte 0)")
            }
        }
        guard payload.count <= limits.maxBytes else {
            throw DecodeError(.tooLarge, offset: frameOffset,
                              "document of \(payload.count) bytes exceeds the limit of \(limits.maxBytes)")
        }
        guard let base = payload.baseAddress?.assumingMemoryBound(to: UInt8.self), payload.count > 0 else {
            throw DecodeError(.empty, offset: frameOffset, "empty document")
        }
        let count = payload.count
        var first = 0
        while first < count, Self.isSpace(base[first]) { first += 1 }
        guard first < count else { throw DecodeError(.empty, offset: frameOffset + count, "empty document (only whitespace)") }
        guard base[first] == UInt8(ascii: "{") else {
            throw DecodeError(.notAnObject, offset: frameOffset + first, "expected a JSON object")
        }
        // Strict UTF-8 for the whole document (yajl checks only the shape of
        // sequences); a sequence cut by the end of input is left to the parser,
        // which reports the document as truncated.
        if case .invalid(let at) = UTF8Validation.check(base, count: count) {
            throw DecodeError(.invalidUTF8, offset: frameOffset + at, "invalid UTF-8 byte sequence")
        }
        let failure = withUnsafeMutablePointer(to: &row) { rowPointer in
            parse(base, count: count, frameOffset: frameOffset, row: rowPointer)
        }
        if let failure {
            row.reset()
            throw failure
        }
    }

    /// Parses with the decoder's yajl handle, made once and reused: yajl has
    /// no reset, but with `yajl_allow_multiple_values` a handle that has just
    /// finished an object is ready for the next one, so a record costs no
    /// `yajl_alloc` (its handle, lexer and state stack were most of yajl's
    /// per-record work besides the lexing itself). The handle is dropped, and
    /// the arena rewound, after anything that may leave it mid-value: an
    /// error, a truncated document, bytes after the object; and after a record
    /// that outgrew the arena (so the arena grows, as before).
    private func parse(_ base: UnsafePointer<UInt8>, count: Int, frameOffset: Int,
                       row: UnsafeMutablePointer<Row>) -> DecodeError? {
        let s = state
        s.pointee.input = base; s.pointee.inputCount = count
        s.pointee.frameOffset = frameOffset; s.pointee.row = row
        defer { s.pointee.endRecord() }
        if s.pointee.handle == nil {
            arena.endRecord()
            guard let h = yajl_alloc(callbacks, arena.funcs, UnsafeMutableRawPointer(s)) else {
                return DecodeError(.tooLarge, offset: frameOffset, "out of memory for the parser")
            }
            yajl_config_allow_multiple_values(h)
            s.pointee.handle = h
        }
        guard let handle = s.pointee.handle else { return nil }
        let status = yajl_parse(handle, base, count)
        var failure: DecodeError?
        if status != yajl_status_ok {
            failure = s.pointee.failure ?? yajlError(handle, base, count, frameOffset)
        } else if !s.pointee.topFinished {
            // yajl waits for more input (a cut document, or one ending in a number).
            failure = DecodeError(.truncated, offset: frameOffset + count, "document ends inside the object")
        } else {
            var at = s.pointee.topEnd
            while at < count, Self.isSpace(base[at]) { at += 1 }
            // Only a number can be pending here (yajl reports everything else as it goes).
            if at < count { failure = DecodeError(.syntax, offset: frameOffset + at, "trailing garbage after the object") }
        }
        if failure != nil || arena.recordNeededFallbacks {
            // No yajl_free: every byte yajl holds came from the arena (or its tracked
            // malloc fallbacks), and the rewind before the next handle releases it all.
            s.pointee.handle = nil
        }
        if failure == nil { s.pointee.succeeded = true }
        return failure
    }

    /// Classifies an error yajl found itself; the message is yajl's, without its newline.
    private func yajlError(_ handle: yajl_handle, _ base: UnsafePointer<UInt8>, _ count: Int, _ frameOffset: Int) -> DecodeError {
        var message = "invalid JSON"
        if let text = yajl_get_error(handle, 0, base, count) {
            message = String(cString: text)
            yajl_free_error(handle, text)
            while message.last == "\n" { message.removeLast() }
        }
        let at = frameOffset + Int(yajl_get_bytes_consumed(handle))
        if message.contains("UTF8") { return DecodeError(.invalidUTF8, offset: at, message) }
        return DecodeError(.syntax, offset: at, message)
    }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    /// The last record's top-level members (with `captureTopLevel`); valid
    /// until the next `decode`. Empty after a failed record.
    public var topLevelMembers: JSONTopLevelMembers {
        let ok = state.pointee.succeeded
        return JSONTopLevelMembers(base: state.pointee.members.base.map { UnsafePointer<JSONMember>($0) },
                                   count: ok ? state.pointee.members.count : 0,
                                   inputCount: state.pointee.frameOffset + state.pointee.inputCount)
    }

    /// Arena counters: `fallbackAllocations` stays constant in steady state.
    public var arenaStats: JSONArenaStats { arena.stats }
}
