/// Writes result rows as Confluent-framed Avro records of an
/// `AvroResultSchema`: magic byte 0, the schema's registry id, then each
/// field from its row slot. Every cell kind the schema was derived from has a
/// branch, so a row fails only if its cells break what the schema promised.
///
/// Nothing is allocated per row (`collect` arrays are transcoded from their
/// JSON text in place). One encoder per task thread; not thread-safe.
public final class AvroResultEncoder {
    public let schema: AvroResultSchema
    public let schemaID: UInt32

    /// Trivial, so reading one from the array costs no reference counting.
    struct Field {
        var slot: Int
        var branches: AvroResultBranches
        /// An array whose items take `branches`.
        var isList: Bool
    }

    private let fields: [Field]
    private var writer = AvroBinaryWriter()

    /// - Parameter slots: the row slot of each schema field, in order.
    public init(schema: AvroResultSchema, slots: [Int], schemaID: UInt32) {
        self.schema = schema
        self.schemaID = schemaID
        fields = zip(schema.fields, slots).map { f, slot in
            switch f.type {
            case .cells(let kinds): return Field(slot: slot, branches: AvroResultBranches(kinds), isList: false)
            case .timestampMillis: return Field(slot: slot, branches: AvroResultBranches(.int), isList: false)
            case .list(let kinds): return Field(slot: slot, branches: AvroResultBranches(AvroResultSchema.itemKinds(kinds)), isList: true)
            }
        }
    }

    deinit { writer.buffer.deallocate() }

    /// The framed record; the bytes are valid until the next call on this encoder.
    public func encode(row: Row) throws(EncodeError) -> UnsafeRawBufferPointer {
        writer.startFrame(schemaID: schemaID)
        var i = 0                                            // index loops: no generic iterators per row
        while i < fields.count {
            let f = fields[i]
            let cell = f.slot < row.cells.count ? row.cells[f.slot] : .missing
            let problem = f.isList ? list(cell, f.branches, row) : value(cell, f.branches, row)
            if let problem {
                throw EncodeError(.generator, field: schema.fields[i].name, "\(problem) (a \(cell.kindName))")
            }
            i += 1
        }
        guard writer.ok else { throw EncodeError(.generator, "out of memory for the output") }
        return UnsafeRawBufferPointer(start: writer.buffer.base, count: writer.buffer.count)
    }

    @inline(__always)
    private func value(_ cell: Cell, _ b: AvroResultBranches, _ row: Row) -> StaticString? {
        switch cell {
        case .missing, .null: return b.writeNull(&writer)
        case .bool(let v): return b.writeBool(v, &writer)
        case .int(let v): return b.writeInt(v, &writer)
        case .double(let d): return b.writeDouble(d, &writer)
        case .string(let s), .json(let s):                  // objects/arrays as their JSON text
            guard Int(s.start) >= 0, Int(s.start) + Int(s.count) <= row.arena.count else { return "a span outside the row" }
            return row.withBytes(s) { bytes -> StaticString? in
                if let problem = b.beginString(length: bytes.count, &writer) { return problem }
                if let p = bytes.baseAddress { writer.bytes(p.assumingMemoryBound(to: UInt8.self), bytes.count) }
                return nil
            }
        }
    }

    @inline(__always)
    private func list(_ cell: Cell, _ items: AvroResultBranches, _ row: Row) -> StaticString? {
        guard case .json(let s) = cell else { return "an array field needs a JSON array" }
        guard Int(s.start) >= 0, Int(s.start) + Int(s.count) <= row.arena.count else { return "a span outside the row" }
        return row.withBytes(s) { AvroJSONArray.write($0, items: items, to: &writer) }
    }
}
