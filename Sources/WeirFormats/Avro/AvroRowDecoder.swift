/// Decodes Confluent-framed Avro records (magic byte 0, 4-byte big-endian
/// schema id, Avro binary) into a flat `Row` of the fields a pipeline reads.
///
/// The writer schema comes from `source` by the frame's id, once per id; it is
/// resolved against the reader schema when one is given (so producers may
/// evolve compatibly while Weir runs), and compiled with the projection into
/// a plan that skips what nobody reads. In steady state a record costs no
/// allocation: a dictionary lookup (or none, for the same id as the last
/// record), then the plan's interpreter writing cells and text into the row.
///
/// One decoder per task thread; not thread-safe. See docs/avro.md.
public final class AvroRowDecoder {
    public let fields: [FieldPath]
    public let readerSchema: AvroSchema?
    public let limits: AvroLimits
    public let rendersWhole: Bool
    /// Schema id of the last record's frame (nil if it had none).
    public private(set) var lastSchemaID: UInt32?
    /// The last record rendered as a JSON object in the row's arena (with
    /// `renderWhole`), and its top-level members (offsets into that text).
    public private(set) var renderedSpan = ByteSpan(start: 0, count: 0)

    private let source: AvroSchemaSource
    private let droppedTopLevelKeys: Set<String>
    private var plans: [UInt32: AvroDecodePlan] = [:]
    private var refused: [UInt32: DecodeError] = [:]
    private var lastPlan: AvroDecodePlan?
    private var lastID: UInt32 = 0
    private let firstStack: UnsafeMutablePointer<Bool>
    private let members: UnsafeMutablePointer<RawGrowableBuffer<JSONMember>>
    private var succeeded = false
    /// Plans kept at most; past that the table starts over (ids are few in practice).
    static let maxPlans = 1024

    /// - Parameters:
    ///   - fields: the projection; slot i receives `fields[i]`.
    ///   - readerSchema: the pipeline's schema; nil reads each record with its writer schema.
    ///   - renderWhole: also render each whole record as a JSON object (for
    ///     JSON output of whole or edited records), with top-level members flagged
    ///     `dropped` when their key is in `droppedTopLevelKeys`.
    public init(fields: [FieldPath], readerSchema: AvroSchema? = nil, source: AvroSchemaSource,
                limits: AvroLimits = .default, renderWhole: Bool = false, droppedTopLevelKeys: Set<String> = []) {
        self.fields = fields
        self.readerSchema = readerSchema
        self.source = source
        self.limits = limits
        self.rendersWhole = renderWhole
        self.droppedTopLevelKeys = droppedTopLevelKeys
        firstStack = .allocate(capacity: limits.maxDepth + 2)
        members = .allocate(capacity: 1)
        members.initialize(to: RawGrowableBuffer())
    }

    deinit {
        firstStack.deallocate()
        members.pointee.deallocate()
        members.deinitialize(count: 1); members.deallocate()
    }

    /// Decodes one framed record into `row` (reset first; reset again on failure).
    public func decode(_ bytes: UnsafeRawBufferPointer, into row: inout Row) throws(DecodeError) {
        row.reset()
        if row.cells.count < fields.count {
            row.cells.append(contentsOf: repeatElement(Cell.missing, count: fields.count - row.cells.count))
        }
        succeeded = false
        members.pointee.removeAll()
        if lastSchemaID != nil { lastSchemaID = nil }
        guard bytes.count > 0 else { throw DecodeError(.empty, offset: 0, "empty record") }
        guard bytes[0] == ConfluentFrame.magicByte else {
            throw DecodeError(.badFrame, offset: 0, "expected a Confluent frame (magic byte 0), found byte \(bytes[0])")
        }
        guard bytes.count >= ConfluentFrame.headerSize else {
            throw DecodeError(.badFrame, offset: 0, "Confluent frame header cut short (\(bytes.count) bytes)")
        }
        let frame = ConfluentFrame.parse(bytes)
        let id = frame.schemaID ?? 0
        lastSchemaID = id
        guard frame.payload.count <= limits.maxBytes else {
            throw DecodeError(.tooLarge, offset: ConfluentFrame.headerSize,
                              "record of \(frame.payload.count) bytes exceeds the limit of \(limits.maxBytes)")
        }
        let plan = try plan(for: id)
        let failure = withUnsafeMutablePointer(to: &row) { rowPointer in
            run(plan, frame.payload, rowPointer)
        }
        if let failure {
            row.reset()
            members.pointee.removeAll()
            throw failure
        }
        succeeded = true
    }

    private func run(_ plan: AvroDecodePlan, _ payload: UnsafeRawBufferPointer, _ row: UnsafeMutablePointer<Row>) -> DecodeError? {
        // A zero-length payload is valid Avro for a record of no fields; any base works then.
        let base = payload.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(firstStack.withMemoryRebound(to: UInt8.self, capacity: 1) { $0 })
        var m = AvroDecodeMachine(plan: plan, base: base, end: payload.count, row: row,
                                  maxDepth: limits.maxDepth, maxItems: limits.maxItems,
                                  firstStack: firstStack, members: members)
        guard m.run(0) else { return error(m, plan) }
        if m.pos != payload.count {
            return DecodeError(.invalidData, offset: ConfluentFrame.headerSize + m.pos,
                               "\(payload.count - m.pos) bytes left after the record: the data does not match writer schema \(lastID)")
        }
        renderedSpan = m.rendered
        return nil
    }

    private func error(_ m: AvroDecodeMachine, _ plan: AvroDecodePlan) -> DecodeError {
        let at = ConfluentFrame.headerSize + m.failureOffset
        switch m.failure ?? .truncated {
        case .truncated: return DecodeError(.truncated, offset: at, "the record ends early (schema id \(lastID))")
        case .varintTooLong: return DecodeError(.invalidData, offset: at, "variable-length integer longer than 10 bytes")
        case .intOutOfRange: return DecodeError(.invalidData, offset: at, "int value outside 32 bits")
        case .negativeLength: return DecodeError(.invalidData, offset: at, "negative length")
        case .badUnionIndex(let i): return DecodeError(.invalidData, offset: at, "union branch index \(i) out of range")
        case .badEnumIndex(let i): return DecodeError(.invalidData, offset: at, "enum/boolean value \(i) out of range")
        case .invalidUTF8: return DecodeError(.invalidUTF8, offset: at, "string is not valid UTF-8")
        case .tooDeep: return DecodeError(.tooDeep, offset: at, "nesting deeper than \(limits.maxDepth)")
        case .tooManyItems: return DecodeError(.tooLarge, offset: at, "more than \(limits.maxItems) array items/map entries")
        case .decimalTooWide: return DecodeError(.invalidData, offset: at, "decimal wider than 128 bits")
        case .outOfMemory: return DecodeError(.tooLarge, offset: at, "out of memory")
        case .planFailure(let c):
            let text = String(decoding: plan.constants[Int(c)].text, as: UTF8.self)
            return DecodeError(.schemaMismatch, offset: at, "schema id \(lastID): \(text)")
        }
    }

    /// The plan for a writer schema id: the last one, a cached one, or compiled now.
    @inline(__always) private func plan(for id: UInt32) throws(DecodeError) -> AvroDecodePlan {
        if let p = lastPlan, id == lastID { return p }
        if let p = plans[id] { lastPlan = p; lastID = id; return p }
        if let e = refused[id] { throw e }
        return try compile(id)
    }

    private func compile(_ id: UInt32) throws(DecodeError) -> AvroDecodePlan {
        let writer = try source.schema(id: id)              // may block: off the steady state
        do throws(DecodeError) {
            if rendersWhole, case .record = (readerSchema ?? writer).root.underlying {} else if rendersWhole {
                throw DecodeError(.schemaMismatch, offset: 1, "schema id \(id) is not a record; only records can be written as JSON objects")
            }
            let p = try AvroDecodePlanner.plan(writer: writer.root, reader: readerSchema?.root ?? writer.root, fields: fields,
                                               renderWhole: rendersWhole, droppedTopLevelKeys: droppedTopLevelKeys)
            if plans.count >= Self.maxPlans { plans.removeAll() }
            plans[id] = p
            lastPlan = p; lastID = id
            return p
        } catch {
            var e = error
            if !e.message.hasPrefix("schema id") { e.message = "writer schema id \(id) cannot be read with the reader schema: \(e.message)" }
            if refused.count >= Self.maxPlans { refused.removeAll() }
            refused[id] = e
            throw e
        }
    }

    /// The last record's top-level members (with `renderWhole`), as offsets
    /// into the rendered text; valid until the next `decode`.
    public var topLevelMembers: JSONTopLevelMembers {
        JSONTopLevelMembers(base: members.pointee.base.map { UnsafePointer($0) },
                            count: succeeded ? members.pointee.count : 0, inputCount: Int(renderedSpan.count))
    }
}
