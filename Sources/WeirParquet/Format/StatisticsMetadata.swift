/// The Statistics struct: min_value/max_value (plain-encoded, type-defined order)
/// and the null count. The deprecated min/max fields are not written: their order
/// was ill-defined for strings and readers ignore them once min_value is present.
struct StatisticsMetadata {
    var nullCount: Int64
    var minValue: [UInt8]?
    var maxValue: [UInt8]?

    func write(to w: inout CompactWriter) {
        w.field(3, i64: nullCount)
        if let maxValue { w.field(5, binary: maxValue) }
        if let minValue { w.field(6, binary: minValue) }
    }
}
