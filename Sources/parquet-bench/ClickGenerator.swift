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
