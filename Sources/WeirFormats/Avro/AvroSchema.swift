/// An Avro schema as Weir uses it: the type tree with the attributes avro-c
/// drops (logical types, defaults, aliases). Named types are classes so a
/// record can refer to itself (recursive schemas).
public indirect enum AvroType: Sendable {
    case null, boolean, int, long, float, double, bytes, string
    case record(AvroRecord)
    case enumeration(AvroEnum)
    case fixed(AvroFixed)
    case array(AvroType)
    case map(AvroType)
    case union([AvroType])
    /// A logical type over its underlying type (`int`+date, `long`+timestamp-millis,
    /// `bytes`/`fixed`+decimal). Unknown logical types are ignored, as the spec asks.
    case logical(AvroLogicalType, AvroType)

    /// The type without its logical annotation.
    public var underlying: AvroType {
        if case .logical(_, let t) = self { return t.underlying }
        return self
    }

    public var logicalType: AvroLogicalType? {
        if case .logical(let l, _) = self { return l }
        return nil
    }

    /// The name schema resolution matches union branches and named types by.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .boolean: return "boolean"
        case .int: return "int"
        case .long: return "long"
        case .float: return "float"
        case .double: return "double"
        case .bytes: return "bytes"
        case .string: return "string"
        case .record(let r): return r.fullName
        case .enumeration(let e): return e.fullName
        case .fixed(let f): return f.fullName
        case .array: return "array"
        case .map: return "map"
        case .union: return "union"
        case .logical(_, let t): return t.typeName
        }
    }
}

public enum AvroLogicalType: Equatable, Sendable {
    case date, timeMillis, timeMicros, timestampMillis, timestampMicros
    case localTimestampMillis, localTimestampMicros
    case decimal(precision: Int, scale: Int)
    case uuid
}

public final class AvroRecord: @unchecked Sendable {   // fields are set once, while parsing
    public let fullName: String
    public let aliases: [String]
    public internal(set) var fields: [AvroField] = []
    init(fullName: String, aliases: [String]) { self.fullName = fullName; self.aliases = aliases }

    public func field(named name: String) -> AvroField? { fields.first { $0.name == name } }
}

public struct AvroField: Sendable {
    public var name: String
    public var type: AvroType
    /// The `default` attribute as written (JSON), nil when absent.
    public var defaultValue: JSONValue?
    public var aliases: [String]
}

public final class AvroEnum: Sendable {
    public let fullName: String
    public let aliases: [String]
    public let symbols: [String]
    public let defaultSymbol: String?
    init(fullName: String, aliases: [String], symbols: [String], defaultSymbol: String?) {
        self.fullName = fullName; self.aliases = aliases; self.symbols = symbols; self.defaultSymbol = defaultSymbol
    }
}

public final class AvroFixed: Sendable {
    public let fullName: String
    public let aliases: [String]
    public let size: Int
    init(fullName: String, aliases: [String], size: Int) { self.fullName = fullName; self.aliases = aliases; self.size = size }
}

/// A parsed schema: its root type and the text it came from.
public struct AvroSchema: Sendable {
    public let root: AvroType
    /// The schema text as given (what the registry stores and serves).
    public let text: String
    /// Parsing Canonical Form: equal for schemas that differ only in
    /// whitespace, attribute order, docs or defaults (used to deduplicate).
    public let canonicalForm: String

    public init(root: AvroType, text: String, canonicalForm: String) {
        self.root = root; self.text = text; self.canonicalForm = canonicalForm
    }
}

/// A schema text that is not valid Avro.
public struct AvroSchemaError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "invalid Avro schema: \(message)" }
}
