/// The LogicalType union of parquet.thrift, for the types Weir writes.
enum LogicalTypeAnnotation: Equatable {
    case string
    case map
    case list
    case decimal(precision: Int32, scale: Int32)
    case date
    case timestamp(utc: Bool, unit: TimestampUnit)

    enum TimestampUnit { case millis, micros }

    /// A union is a struct with exactly one field set; empty structs mark the choice.
    func write(to w: inout CompactWriter) {
        switch self {
        case .string: w.field(1) { _ in }
        case .map: w.field(2) { _ in }
        case .list: w.field(3) { _ in }
        case .decimal(let precision, let scale):
            w.field(5) { w in
                w.field(1, i32: scale)
                w.field(2, i32: precision)
            }
        case .date: w.field(6) { _ in }
        case .timestamp(let utc, let unit):
            w.field(8) { w in
                w.field(1, bool: utc)
                w.field(2) { w in
                    switch unit {
                    case .millis: w.field(1) { _ in }
                    case .micros: w.field(2) { _ in }
                    }
                }
            }
        }
    }
}
