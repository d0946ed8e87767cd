import WeirFormats

/// An input record as the CEP operator keeps it while partial matches need
/// it: the input row's values by slot (the record outlives the task's reused
/// row); partial matches share it through the shared buffer. The operator
/// refills the values array of an event the NFA let go of (`refill`), so in
/// steady state buffering a record allocates nothing.
public struct CEPEvent: Sendable {
    public var values: [FieldValue]
    /// The input's field names (shared by every event of an operator), for `event["amount"]`.
    public let names: CEPFieldNames?

    public init(values: [FieldValue], names: CEPFieldNames? = nil) {
        self.values = values
        self.names = names
    }

    init(row: Row, slotCount: Int, names: CEPFieldNames?) {
        var v: [FieldValue] = []
        v.reserveCapacity(slotCount)
        for i in 0..<slotCount { v.append(i < row.cells.count ? FieldValue(row.cells[i], in: row) : .null) }
        values = v
        self.names = names
    }

    /// Takes `row`'s values, reusing this event's array (copied first only if still shared).
    mutating func refill(row: Row, slotCount: Int) {
        values.removeAll(keepingCapacity: true)
        for i in 0..<slotCount { values.append(i < row.cells.count ? FieldValue(row.cells[i], in: row) : .null) }
    }

    public subscript(slot: Int) -> FieldValue { slot >= 0 && slot < values.count ? values[slot] : .null }

    /// A field by name (`.null` when the operator was given no names or the field is unknown).
    public subscript(field: String) -> FieldValue { names?.slots[field].map { self[$0] } ?? .null }

    /// A field as a number (int or double), nil for anything else.
    public func number(_ field: String) -> Double? { names?.slots[field].flatMap { number($0) } }

    /// The value as a number (int or double), nil for anything else.
    public func number(_ slot: Int) -> Double? {
        switch self[slot] {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    func write(into w: inout BinaryWriter) {
        w.u32(UInt32(values.count))
        for v in values {
            switch v {
            case .null: w.u8(0)
            case .bool(let b): w.u8(b ? 2 : 1)
            case .int(let i): w.u8(3); w.i64(i)
            case .double(let d): w.u8(4); w.u64(d.bitPattern)
            case .string(let s): w.u8(5); writeLong(s, &w)
            case .json(let s): w.u8(6); writeLong(s, &w)
            }
        }
    }

    static func read(_ r: inout BinaryReader, names: CEPFieldNames?) throws -> CEPEvent {
        let n = Int(try r.u32())
        guard n <= r.remaining else { throw NFAStateCodec.Invalid(reason: "event size") }
        var v: [FieldValue] = []
        v.reserveCapacity(n)
        for _ in 0..<n {
            switch try r.u8() {
            case 0: v.append(.null)
            case 1: v.append(.bool(false))
            case 2: v.append(.bool(true))
            case 3: v.append(.int(try r.i64()))
            case 4: v.append(.double(Double(bitPattern: try r.u64())))
            case 5: v.append(.string(try readLong(&r)))
            case 6: v.append(.json(try readLong(&r)))
            default: throw NFAStateCodec.Invalid(reason: "event value tag")
            }
        }
        return CEPEvent(values: v, names: names)
    }

    private func writeLong(_ s: String, _ w: inout BinaryWriter) {
        let u = Array(s.utf8)
        w.u32(UInt32(clamping: u.count))
        w.raw(u)
    }

    private static func readLong(_ r: inout BinaryReader) throws -> String {
        let n = Int(try r.u32())
        guard n <= r.remaining else { throw NFAStateCodec.Invalid(reason: "string size") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(n)
        for _ in 0..<n { bytes.append(try r.u8()) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Input field names → slots, shared by every event of one operator.
public final class CEPFieldNames: Sendable {
    public let slots: [String: Int]
    public init(_ fields: [String]) {
        var m: [String: Int] = [:]
        for (i, f) in fields.enumerated() where m[f] == nil { m[f] = i }
        slots = m
    }
}
