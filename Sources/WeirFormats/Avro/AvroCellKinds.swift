extension AvroSchema {
    /// The kinds of cell `AvroRowDecoder` gives for `path` when records are
    /// read through this (reader) schema — its table in docs/avro.md. A path
    /// through a nullable record can also be null; a path the schema does not
    /// have is always missing (`.null`).
    public func cellKinds(at path: FieldPath) -> CellKinds {
        var type = root
        var kinds = CellKinds()
        for name in path.components {
            var record: AvroRecord?
            switch type.underlying {
            case .record(let r): record = r
            case .union(let branches):
                for b in branches {
                    switch b.underlying {
                    case .record(let r) where record == nil: record = r
                    default: kinds.insert(.null)              // a null (or other) branch: nothing at the path
                    }
                }
            default: break
            }
            guard let field = record?.field(named: name) else { return .null }
            type = field.type
        }
        return kinds.union(Self.cellKinds(of: type))
    }

    static func cellKinds(of type: AvroType) -> CellKinds {
        if case .decimal(let precision, _)? = type.logicalType { return precision <= 15 ? .double : .string }
        switch type.underlying {
        case .null: return .null
        case .boolean: return .bool
        case .int, .long: return .int
        case .float, .double: return .double
        case .string, .enumeration: return .string
        case .bytes, .fixed, .record, .array, .map: return .json
        case .union(let branches): return branches.reduce(CellKinds()) { $0.union(cellKinds(of: $1)) }
        case .logical(_, let t): return cellKinds(of: t)
        }
    }
}
