import CAvro
import Glibc

extension AvroSchema {
    /// Parses and checks a schema text. avro-c parses it first (its parser is
    /// the reference for names, namespaces and structure); Weir then reads the
    /// attributes avro-c drops: logical types, defaults, aliases.
    public init(parsing text: String) throws(AvroSchemaError) {
        try AvroSchemaParser.validateWithAvroC(text)
        let json: JSONValue
        do { json = try JSONValue.parse(text) } catch { throw AvroSchemaError("not JSON: \(error)") }
        var parser = AvroSchemaParser()
        let root = try parser.type(json, namespace: nil)
        self.init(root: root, text: text, canonicalForm: AvroCanonicalForm.text(of: root))
    }
}

/// JSON → `AvroType`, resolving names against the types defined so far.
struct AvroSchemaParser {
    private var named: [String: AvroType] = [:]
    private static let primitives: [String: AvroType] = [
        "null": .null, "boolean": .boolean, "int": .int, "long": .long,
        "float": .float, "double": .double, "bytes": .bytes, "string": .string,
    ]

    static func validateWithAvroC(_ text: String) throws(AvroSchemaError) {
        var schema: avro_schema_t?
        let failed = text.withCString { avro_schema_from_json_length($0, strlen($0), &schema) } != 0
        if failed {
            let message = avro_strerror().map { String(cString: $0) } ?? "avro-c refused the schema"
            throw AvroSchemaError(message)
        }
        if let schema { avro_schema_decref(schema) }
    }

    mutating func type(_ json: JSONValue, namespace: String?) throws(AvroSchemaError) -> AvroType {
        switch json {
        case .string(let name):
            if let p = Self.primitives[name] { return p }
            let full = Self.fullName(name, namespace)
            if let t = named[full] ?? named[name] { return t }
            throw AvroSchemaError("unknown type '\(name)'")
        case .array(let branches):
            var types: [AvroType] = []
            var seen: Set<String> = []
            for b in branches {
                let t = try type(b, namespace: namespace)
                if case .union = t { throw AvroSchemaError("a union cannot directly contain a union") }
                let key = t.typeName
                if seen.contains(key) { throw AvroSchemaError("union holds '\(key)' twice") }
                seen.insert(key)
                types.append(t)
            }
            if types.isEmpty { throw AvroSchemaError("empty union") }
            return .union(types)
        case .object(let o):
            guard let t = o["type"] else { throw AvroSchemaError("a schema object needs a 'type'") }
            guard case .string(let kind) = t else {
                return try type(t, namespace: namespace)          // {"type": {...}} or {"type": [...]}
            }
            switch kind {
            case "record", "error": return try record(o, namespace: namespace)
            case "enum": return try enumeration(o, namespace: namespace)
            case "fixed":
                let f = try fixed(o, namespace: namespace)
                let t = try logical(o, .fixed(f))
                named[f.fullName] = t                      // references keep the logical type
                return t
            case "array":
                guard let items = o["items"] else { throw AvroSchemaError("array without 'items'") }
                return .array(try type(items, namespace: namespace))
            case "map":
                guard let values = o["values"] else { throw AvroSchemaError("map without 'values'") }
                return .map(try type(values, namespace: namespace))
            default:
                return try logical(o, try type(.string(kind), namespace: namespace))
            }
        default:
            throw AvroSchemaError("expected a type name, object or union, found \(json.text)")
        }
    }

    /// Applies a `logicalType` attribute; invalid or unknown ones are ignored (Avro spec).
    private func logical(_ o: [String: JSONValue], _ base: AvroType) throws(AvroSchemaError) -> AvroType {
        guard case .string(let name)? = o["logicalType"] else { return base }
        let l: AvroLogicalType?
        switch (name, base) {
        case ("date", .int): l = .date
        case ("time-millis", .int): l = .timeMillis
        case ("time-micros", .long): l = .timeMicros
        case ("timestamp-millis", .long): l = .timestampMillis
        case ("timestamp-micros", .long): l = .timestampMicros
        case ("local-timestamp-millis", .long): l = .localTimestampMillis
        case ("local-timestamp-micros", .long): l = .localTimestampMicros
        case ("uuid", .string): l = .uuid
        case ("decimal", .bytes), ("decimal", .fixed):
            guard case .int(let p)? = o["precision"], p > 0 else { return base }
            var scale: Int64 = 0
            if case .int(let s)? = o["scale"] { scale = s }
            guard scale >= 0, scale <= p else { return base }
            if case .fixed(let f) = base, Double(p) > (Double(8 * f.size - 1) * 0.30103).rounded(.down) { return base }
            l = .decimal(precision: Int(p), scale: Int(scale))
        default: l = nil
        }
        return l.map { .logical($0, base) } ?? base
    }

    private static func fullName(_ name: String, _ namespace: String?) -> String {
        if name.contains(".") { return name }
        guard let ns = namespace, !ns.isEmpty else { return name }
        return ns + "." + name
    }

    private static func checkName(_ name: String) throws(AvroSchemaError) {
        for part in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard let first = part.first, first == "_" || (first.isASCII && first.isLetter),
                  part.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
                throw AvroSchemaError("invalid name '\(name)'")
            }
        }
    }

    private mutating func define(_ o: [String: JSONValue], namespace: String?) throws(AvroSchemaError) -> (full: String, ns: String?, aliases: [String]) {
        guard case .string(let name)? = o["name"] else { throw AvroSchemaError("a named type needs a 'name'") }
        var ns = namespace
        if case .string(let s)? = o["namespace"] { ns = s }
        let full = Self.fullName(name, ns)
        try Self.checkName(full)
        if named[full] != nil || Self.primitives[full] != nil { throw AvroSchemaError("type '\(full)' is defined twice") }
        let space = full.contains(".") ? String(full[..<(full.lastIndex(of: ".") ?? full.endIndex)]) : nil
        var aliases: [String] = []
        if case .array(let a)? = o["aliases"] {
            for case .string(let s) in a { aliases.append(Self.fullName(s, space)) }
        }
        return (full, space, aliases)
    }

    private mutating func record(_ o: [String: JSONValue], namespace: String?) throws(AvroSchemaError) -> AvroType {
        let (full, space, aliases) = try define(o, namespace: namespace)
        let r = AvroRecord(fullName: full, aliases: aliases)
        named[full] = .record(r)                       // visible to its own fields (recursion)
        guard case .array(let fields)? = o["fields"] else { throw AvroSchemaError("record '\(full)' needs a 'fields' list") }
        var names: Set<String> = []
        for f in fields {
            guard case .string(let name)? = f["name"] else { throw AvroSchemaError("a field of '\(full)' has no name") }
            try Self.checkName(name)
            guard !names.contains(name) else { throw AvroSchemaError("record '\(full)' has field '\(name)' twice") }
            names.insert(name)
            guard let t = f["type"] else { throw AvroSchemaError("field '\(name)' of '\(full)' has no type") }
            let type = try type(t, namespace: space)
            let d = f["default"]
            if let d, !AvroDefaults.matches(d, type) {
                throw AvroSchemaError("default \(d.text) of field '\(name)' does not match its type \(type.typeName)")
            }
            var fa: [String] = []
            if case .array(let a)? = f["aliases"] { for case .string(let s) in a { fa.append(s) } }
            r.fields.append(AvroField(name: name, type: type, defaultValue: d, aliases: fa))
        }
        return .record(r)
    }

    private mutating func enumeration(_ o: [String: JSONValue], namespace: String?) throws(AvroSchemaError) -> AvroType {
        let (full, _, aliases) = try define(o, namespace: namespace)
        guard case .array(let list)? = o["symbols"] else { throw AvroSchemaError("enum '\(full)' needs 'symbols'") }
        var symbols: [String] = []
        for case .string(let s) in list {
            try Self.checkName(s)
            if symbols.contains(s) { throw AvroSchemaError("enum '\(full)' has symbol '\(s)' twice") }
            symbols.append(s)
        }
        guard symbols.count == list.count else { throw AvroSchemaError("enum '\(full)': symbols must be strings") }
        var def: String?
        if case .string(let s)? = o["default"] {
            guard symbols.contains(s) else { throw AvroSchemaError("enum '\(full)': default '\(s)' is not a symbol") }
            def = s
        }
        let t = AvroType.enumeration(AvroEnum(fullName: full, aliases: aliases, symbols: symbols, defaultSymbol: def))
        named[full] = t
        return t
    }

    private mutating func fixed(_ o: [String: JSONValue], namespace: String?) throws(AvroSchemaError) -> AvroFixed {
        let (full, _, aliases) = try define(o, namespace: namespace)
        guard case .int(let size)? = o["size"], size >= 0, size <= Int64(Int32.max) else {
            throw AvroSchemaError("fixed '\(full)' needs a non-negative 'size'")
        }
        let f = AvroFixed(fullName: full, aliases: aliases, size: Int(size))
        named[full] = .fixed(f)
        return f
    }
}
