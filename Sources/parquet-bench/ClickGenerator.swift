import WeirParquet

/// The benchmark's click rows, a pure function of the row number so that
/// scripts/bench-parquet.py builds exactly the same rows with numpy.
struct ClickGenerator {
    let users = (0..<200_000).map { "user-\($0)" }
    let events = ["view", "click", "add_to_cart", "purchase", "search", "logout"]
    let pages = (0..<5_000).map { "/product/\($0)" }
    let countries = ["US", "DE", "FR", "GB", "NL", "ES", "IT", "PL", "SE", "NO",
                     "DK", "FI", "JP", "KR", "BR", "MX", "CA", "AU", "IN", "ZA"]

    static func schema() throws(ParquetError) -> ParquetSchema {
        try ParquetSchema([
            ParquetField("user_id", .string),
            ParquetField("event", .string),
            ParquetField("page", .string),
            ParquetField("country", .string),
            ParquetField("amount", .double),
            ParquetField("ts", .timestamp(.millis)),
            ParquetField("quantity", .int32),
            ParquetField("mobile", .boolean),
        ])
    }

    /// splitmix64's finaliser.
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The rows as columns, strings laid out as an Arrow string array (the values
/// of all rows in one byte buffer, with offsets), read in row order.
struct ClickColumns {
    var user = StringColumn(), event = StringColumn(), page = StringColumn(), country = StringColumn()
    var amount: [Double] = [], ts: [Int64] = [], quantity: [Int32] = [], mobile: [Bool] = []

    init(rows: Int, _ g: ClickGenerator) {
        for i in 0..<rows {
            let r = ClickGenerator.mix(UInt64(i))
            user.append(g.users[Int(r % 200_000)])
            event.append(g.events[Int((r >> 20) % 6)])
            page.append(g.pages[Int((r >> 28) % 5_000)])
            country.append(g.countries[Int((r >> 42) % 20)])
            amount.append(Double((r >> 8) % 100_000) / 100)
            ts.append(Int64(1_700_000_000_000) + Int64(i) * 7 + Int64((r >> 50) % 1000))
            quantity.append(Int32((r >> 33) % 10) + 1)
            mobile.append(r >> 63 == 1)
        }
    }
}

struct StringColumn {
    private var bytes: [UInt8] = []
    private var offsets: [Int] = [0]

    mutating func append(_ s: String) {
        bytes.append(contentsOf: s.utf8)
        offsets.append(bytes.count)
    }

    @inline(__always)
    func withValue(_ i: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
        bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[offsets[i]..<offsets[i + 1]])) }
    }
}
