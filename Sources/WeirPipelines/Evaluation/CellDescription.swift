import WeirFormats

/// Names of cell kinds for error messages (error path only).
enum CellDescription {
    static func typeName(_ cell: Cell) -> String {
        switch cell {
        case .missing: return "missing"
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "decimal"
        case .string: return "string"
        case .json: return "object/array"
        }
    }

    /// The value itself, shortened, for messages such as `toInt: 'abc' is not a number`.
    static func show(_ cell: Cell, _ row: inout Row) -> String {
        switch cell {
        case .missing: return "missing"
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let v): return String(v)
        case .double(let d): return String(d)
        case .string(let s), .json(let s):
            let text = row.string(s)
            return "'" + (text.count > 40 ? String(text.prefix(40)) + "…" : text) + "'"
        }
    }
}
