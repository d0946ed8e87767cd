/// The Avro schema of result rows described by `ResultFieldType`s (window and
/// reduce output): one record, a field per result field in order, each with
/// exactly the types its cells can have (`AvroResultBranches`); window bounds
/// are `long` with logicalType `timestamp-millis`; a `collect` is an array.
/// Nullable fields are unions with `null` first and default null.
///
/// The text is checked by avro-c like every schema (`AvroSchema(parsing:)`).
public struct AvroResultSchema: Sendable {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var type: ResultFieldType
        public init(name: String, type: ResultFieldType) { self.name = name; self.type = type }
    }

    public let fields: [Field]
    public let schema: AvroSchema
    public var text: String { schema.text }

    /// - Parameters:
    ///   - name, namespace: the record's name (made valid with `AvroNames.sanitized`) and namespace.
    ///   - doc: what the records are, for people reading the registry.
    /// - Throws: for a field name Avro does not allow, naming it.
    public init(name: String, namespace: String, doc: String, fields: [Field]) throws(AvroSchemaError) {
        var seen = Set<String>()
        for f in fields {
            guard AvroNames.isValid(f.name) else {
                throw AvroSchemaError("field name '\(f.name)' is not a valid Avro name (letters, digits and '_', not starting with a digit)")
            }
            guard seen.insert(f.name).inserted else { throw AvroSchemaError("field '\(f.name)' appears twice") }
        }
        var text = "{\"type\":\"record\",\"name\":"
        JSONValue.quote(AvroNames.sanitized(name), into: &text)
        text += ",\"namespace\":"
        JSONValue.quote(namespace, into: &text)
        text += ",\"doc\":"
        JSONValue.quote(doc, into: &text)
        text += ",\"fields\":["
        for (i, f) in fields.enumerated() {
            if i > 0 { text += "," }
            text += "{\"name\":\"\(f.name)\",\"type\":"
            switch f.type {
            case .timestampMillis:
                text += "{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}"
            case .list(let kinds):
                text += "{\"type\":\"array\",\"items\":\(AvroResultBranches(Self.itemKinds(kinds)).typeJSON)}"
            case .cells(let kinds):
                let b = AvroResultBranches(kinds)
                text += b.typeJSON
                if b.null == 0 { text += ",\"default\":null" }
            }
            text += "}"
        }
        text += "]}"
        self.fields = fields
        self.schema = try AvroSchema(parsing: text)
    }

    /// Array items are never null (`collect` skips nulls); unknown items may be anything else.
    static func itemKinds(_ kinds: CellKinds) -> CellKinds {
        kinds.nonNull.isEmpty ? CellKinds.any.nonNull : kinds.nonNull
    }
}
