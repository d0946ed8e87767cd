/// The kinds of cell a value may be, as far as is known before any record is
/// seen (a pipeline's static types, an Avro reader schema). Output schemas are
/// derived from it: a field gets exactly the types its cells can have.
public struct CellKinds: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Null or missing.
    public static let null = CellKinds(rawValue: 1)
    public static let bool = CellKinds(rawValue: 2)
    public static let int = CellKinds(rawValue: 4)
    public static let double = CellKinds(rawValue: 8)
    public static let string = CellKinds(rawValue: 16)
    /// An object or array, as JSON text.
    public static let json = CellKinds(rawValue: 32)

    public static let number: CellKinds = [.int, .double]
    public static let any: CellKinds = [.null, .bool, .int, .double, .string, .json]

    public var nonNull: CellKinds { subtracting(.null) }

    /// The kinds a cell has (missing counts as null).
    public init(of cell: Cell) {
        switch cell {
        case .missing, .null: self = .null
        case .bool: self = .bool
        case .int: self = .int
        case .double: self = .double
        case .string: self = .string
        case .json: self = .json
        }
    }

    public var description: String {
        let names: [(CellKinds, String)] = [(.null, "null"), (.bool, "boolean"), (.int, "integer"),
                                            (.double, "double"), (.string, "string"), (.json, "object/array")]
        let present = names.filter { contains($0.0) }.map(\.1)
        return present.isEmpty ? "nothing" : present.joined(separator: " or ")
    }
}
