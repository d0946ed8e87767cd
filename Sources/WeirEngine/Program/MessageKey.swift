import WeirFormats

/// Writes a cell as Kafka message-key bytes into a reusable buffer: strings as
/// their UTF-8, numbers as decimal text, objects/arrays as their JSON text.
struct MessageKey {
    private(set) var bytes: [UInt8] = []
    init() { bytes.reserveCapacity(256) }

    /// Returns false for null/missing (no key).
    mutating func set(_ cell: Cell, in row: Row) -> Bool {
        bytes.removeAll(keepingCapacity: true)
        return append(cell, in: row)
    }

    /// Several key fields: their texts joined by `|` (stable, readable, cheap).
    mutating func set(slots: [Int], in row: Row) -> Bool {
        bytes.removeAll(keepingCapacity: true)
        var any = false
        for (i, s) in slots.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: "|")) }
            if append(row.cells[s], in: row) { any = true }
        }
        return any
    }

    private mutating func append(_ cell: Cell, in row: Row) -> Bool {
        switch cell {
        case .missing, .null: return false
        case .string(let s), .json(let s): row.withBytes(s) { bytes.append(contentsOf: $0) }
        case .int(let v): appendDecimal(v)
        case .double(let d): bytes.append(contentsOf: d.description.utf8)
        case .bool(let b): bytes.append(contentsOf: (b ? "true" : "false").utf8)
        }
        return true
    }

    private mutating func appendDecimal(_ v: Int64) {
        if v == 0 { bytes.append(UInt8(ascii: "0")); return }
        var m = v.magnitude
        let start = bytes.count
        while m > 0 { bytes.append(UInt8(ascii: "0") + UInt8(m % 10)); m /= 10 }
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        bytes[start...].reverse()
    }
}
