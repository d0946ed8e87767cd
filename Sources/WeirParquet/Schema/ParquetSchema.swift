/// A file's schema: its top-level fields, the footer's flattened schema list and
/// the leaf columns in the order their chunks are written.
public struct ParquetSchema: Sendable {
    public let fields: [ParquetField]
    public let columns: [ColumnDescriptor]
    let elements: [SchemaElement]

    public init(_ fields: [ParquetField]) throws(ParquetError) {
        guard !fields.isEmpty else { throw .invalidSchema("a schema needs at least one field") }
        self.fields = fields
        var elements = [SchemaElement(name: "schema", numChildren: Int32(fields.count))]
        var columns: [ColumnDescriptor] = []
        try Self.checkNames(fields)
        for f in fields {
            try Self.flatten(f, path: [], def: 0, rep: 0, defs: [], listLevel: nil, into: &elements, &columns)
        }
        self.elements = elements
        self.columns = columns
    }

    /// The index of the leaf whose dotted path (list leaves: `tags.list.element`) is `path`.
    public func columnIndex(_ path: String) -> Int? {
        columns.firstIndex { $0.path.joined(separator: ".") == path }
    }

    private static func checkNames(_ fields: [ParquetField]) throws(ParquetError) {
        var seen = Set<String>()
        for f in fields {
            if f.name.isEmpty { throw .invalidSchema("a field has an empty name") }
            if !seen.insert(f.name).inserted { throw .invalidSchema("field \(f.name) appears twice") }
        }
    }

    private static func flatten(_ f: ParquetField, path: [String], def: Int, rep: Int, defs: [Int], listLevel: Int?,
                                into elements: inout [SchemaElement], _ columns: inout [ColumnDescriptor]) throws(ParquetError) {
        // Levels are stored in a byte; real schemas are a few levels deep.
        guard path.count < 64 else { throw .invalidSchema("\(path.joined(separator: ".")): nested more than 64 levels deep") }
        let repetition: FieldRepetition = f.nullable ? .optional : .required
        let myDef = def + (f.nullable ? 1 : 0)
        let myPath = path + [f.name]
        let myDefs = defs + [myDef]
        switch f.type {
        case .group(let children):
            guard !children.isEmpty else { throw .invalidSchema("group \(myPath.joined(separator: ".")) has no fields") }
            try checkNames(children)
            elements.append(SchemaElement(repetition: repetition, name: f.name, numChildren: Int32(children.count)))
            for c in children {
                try flatten(c, path: myPath, def: myDef, rep: rep, defs: myDefs, listLevel: listLevel, into: &elements, &columns)
            }
        case .list(let element, let elementNullable):
            // <optional|required> group name (LIST) { repeated group list { <opt|req> element; } }
            elements.append(SchemaElement(repetition: repetition, name: f.name, numChildren: 1,
                                          convertedType: .list, logicalType: .list))
            elements.append(SchemaElement(repetition: .repeated, name: "list", numChildren: 1))
            let inner = ParquetField("element", element, nullable: elementNullable)
            // startList/endList serve a list of primitives outside any other list;
            // deeper nesting is striped by the caller (appendLevels, nextRepetition).
            let simple = element.isPrimitive && rep == 0
            try flatten(inner, path: myPath + ["list"], def: myDef + 1, rep: rep + 1, defs: myDefs + [myDef + 1],
                        listLevel: simple ? myDef : nil, into: &elements, &columns)
        case .map(let key, let value, let valueNullable):
            guard key.isPrimitive else { throw .invalidSchema("map \(myPath.joined(separator: ".")): keys must be primitives") }
            // <optional|required> group name (MAP) { repeated group key_value { required key; <opt|req> value; } }
            elements.append(SchemaElement(repetition: repetition, name: f.name, numChildren: 1,
                                          convertedType: .map, logicalType: .map))
            elements.append(SchemaElement(repetition: .repeated, name: "key_value", numChildren: 2))
            for child in [ParquetField("key", key), ParquetField("value", value, nullable: valueNullable)] {
                try flatten(child, path: myPath + ["key_value"], def: myDef + 1, rep: rep + 1, defs: myDefs + [myDef + 1],
                            listLevel: nil, into: &elements, &columns)
            }
        default:
            let leaf = try leafElement(f, repetition: repetition, path: myPath)
            elements.append(leaf.element)
            columns.append(ColumnDescriptor(path: myPath, physicalType: leaf.physical, typeLength: leaf.element.typeLength,
                                            kind: leaf.kind, maxDefinitionLevel: myDef, maxRepetitionLevel: rep,
                                            definitionLevelAtDepth: myDefs, listPresentLevel: listLevel))
        }
    }

    private static func leafElement(_ f: ParquetField, repetition: FieldRepetition, path: [String]) throws(ParquetError)
        -> (element: SchemaElement, physical: PhysicalType, kind: ValueKind) {
        func plain(_ t: PhysicalType, _ k: ValueKind, converted: ConvertedType? = nil, logical: LogicalTypeAnnotation? = nil)
            -> (SchemaElement, PhysicalType, ValueKind) {
            (SchemaElement(type: t, repetition: repetition, name: f.name, convertedType: converted, logicalType: logical), t, k)
        }
        switch f.type {
        case .boolean: return plain(.boolean, .boolean)
        case .int32: return plain(.int32, .int32)
        case .int64: return plain(.int64, .int64)
        case .float: return plain(.float, .float)
        case .double: return plain(.double, .double)
        case .string: return plain(.byteArray, .byteArray, converted: .utf8, logical: .string)
        case .binary: return plain(.byteArray, .byteArray)
        case .date: return plain(.int32, .int32, converted: .date, logical: .date)
        case .timestamp(let unit):
            switch unit {
            case .millis: return plain(.int64, .int64, converted: .timestampMillis, logical: .timestamp(utc: true, unit: .millis))
            case .micros: return plain(.int64, .int64, converted: .timestampMicros, logical: .timestamp(utc: true, unit: .micros))
            }
        case .decimal(let precision, let scale):
            guard (1...38).contains(precision), (0...precision).contains(scale) else {
                throw .invalidSchema("\(path.joined(separator: ".")): decimal(\(precision), \(scale)) needs 1 ≤ precision ≤ 38 and 0 ≤ scale ≤ precision")
            }
            let physical: PhysicalType
            var width = 0
            if precision <= 9 { physical = .int32; width = 4 }
            else if precision <= 18 { physical = .int64; width = 8 }
            else { physical = .fixedLenByteArray; width = decimalByteWidth(precision: precision) }
            let e = SchemaElement(type: physical, typeLength: physical == .fixedLenByteArray ? Int32(width) : nil,
                                  repetition: repetition, name: f.name, convertedType: .decimal,
                                  scale: Int32(scale), precision: Int32(precision),
                                  logicalType: .decimal(precision: Int32(precision), scale: Int32(scale)))
            return (e, physical, .decimal(physical: physical, byteWidth: width, precision: precision))
        case .group, .list, .map:
            throw .invalidSchema("\(path.joined(separator: ".")) is not a primitive")
        }
    }

    /// The fewest bytes whose two's complement holds every `precision`-digit number.
    static func decimalByteWidth(precision: Int) -> Int {
        var width = 1
        // 10^precision - 1 must fit in 8*width - 1 bits.
        while Double(8 * width - 1) * 0.30102999566398120 < Double(precision) { width += 1 }
        return width
    }
}
