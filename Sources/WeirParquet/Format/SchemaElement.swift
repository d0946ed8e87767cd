/// One node of the flattened (depth-first) schema list in the footer.
struct SchemaElement {
    var type: PhysicalType?
    var typeLength: Int32?
    var repetition: FieldRepetition?
    var name: String
    var numChildren: Int32?
    var convertedType: ConvertedType?
    var scale: Int32?
    var precision: Int32?
    var logicalType: LogicalTypeAnnotation?

    func write(to w: inout CompactWriter) {
        if let type { w.field(1, i32: type.rawValue) }
        if let typeLength { w.field(2, i32: typeLength) }
        if let repetition { w.field(3, i32: repetition.rawValue) }
        w.field(4, string: name)
        if let numChildren { w.field(5, i32: numChildren) }
        if let convertedType { w.field(6, i32: convertedType.rawValue) }
        if let scale { w.field(7, i32: scale) }
        if let precision { w.field(8, i32: precision) }
        if let logicalType { w.field(10) { w in logicalType.write(to: &w) } }
    }
}
