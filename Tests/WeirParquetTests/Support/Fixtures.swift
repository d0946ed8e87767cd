import Foundation
@testable import WeirParquet

/// The fixed files the readers must agree on: every type, nulls, unicode, empty
/// and long strings, 0 and 1 rows, many row groups, every compression, the
/// dictionary fallback, nested records and lists.
enum Fixtures {
    static let allTypes: [ParquetField] = [
        ParquetField("b", .boolean),
        ParquetField("i32", .int32),
        ParquetField("i64", .int64),
        ParquetField("f32", .float),
        ParquetField("f64", .double),
        ParquetField("s", .string),
        ParquetField("bin", .binary),
        ParquetField("day", .date),
        ParquetField("ts_ms", .timestamp(.millis)),
        ParquetField("ts_us", .timestamp(.micros)),
        ParquetField("dec9", .decimal(precision: 9, scale: 2)),
        ParquetField("dec18", .decimal(precision: 18, scale: 4)),
        ParquetField("dec30", .decimal(precision: 30, scale: 6)),
        ParquetField("ob", .boolean, nullable: true),
        ParquetField("oi32", .int32, nullable: true),
        ParquetField("oi64", .int64, nullable: true),
        ParquetField("of64", .double, nullable: true),
        ParquetField("os", .string, nullable: true),
        ParquetField("oday", .date, nullable: true),
        ParquetField("ots", .timestamp(.millis), nullable: true),
        ParquetField("odec", .decimal(precision: 20, scale: 0), nullable: true),
    ]

    static let strings = ["", "a", "ab", "Zürich", "東京", "🙂 emoji", "z", "é", "line\nbreak", "quote\"s",
                          String(repeating: "long-", count: 20_000)]

    /// Row `i` of allTypes: extremes first, then a spread of values and nulls.
    static func allTypesRow(_ i: Int) -> [TestValue] {
        let n = Int64(i)
        let extremes: [TestValue] = [
            .bool(i % 2 == 0),
            .i32(i == 0 ? Int32.min : i == 1 ? Int32.max : Int32(truncatingIfNeeded: n * 7919 - 5000)),
            .i64(i == 0 ? Int64.min : i == 1 ? Int64.max : n * 1_000_000_007 - 3),
            .f32(i == 0 ? -0.0 : i == 1 ? .greatestFiniteMagnitude : Float(i) * 0.25 - 3),
            .f64(i == 0 ? .nan : i == 1 ? -.infinity : i == 2 ? 0.0 : Double(i) * 1.5e-3 - 1),
            .string(strings[i % strings.count]),
            .bytes(i == 0 ? [] : [0x00, 0xFF, UInt8(i % 256)]),
            .i32(i == 0 ? -719_162 : Int32(i * 97 - 400)),  // 0001-01-01 and around the epoch
            .i64(1_700_000_000_000 + n * 1_001),
            .i64(i == 0 ? -1 : 1_700_000_000_000_000 + n * 999_999),
            .decimal(i == 0 ? -999_999_999 : Int128(n * 12_345 - 50_000)),
            .decimal(i == 0 ? 999_999_999_999_999_999 : Int128(-n * 1_234_567_891)),
            .decimal(i == 0 ? Int128("-999999999999999999999999999999")! : Int128(n) * 10_000_000_000_000_000 + 7),
        ]
        let optionals: [TestValue] = i % 3 == 0
            ? Array(repeating: .null, count: 8)
            : [.bool(i % 2 == 1), .i32(Int32(i)), .i64(-n), .f64(Double(i) / 7), .string(strings[(i + 3) % strings.count]),
               .i32(Int32(18_000 + i)), .i64(1_600_000_000_000 + n), .decimal(Int128(n) - 10)]
        return extremes + optionals
    }

    static let nested: [ParquetField] = [
        ParquetField("id", .int64),
        ParquetField("address", .group([
            ParquetField("city", .string),
            ParquetField("zip", .string, nullable: true),
            ParquetField("geo", .group([ParquetField("lat", .double), ParquetField("lon", .double)]), nullable: true),
        ]), nullable: true),
        ParquetField("tags", .list(element: .string, elementNullable: true), nullable: true),
        ParquetField("scores", .list(element: .int64, elementNullable: false)),
        ParquetField("when", .list(element: .timestamp(.micros), elementNullable: true), nullable: true),
    ]

    static func nestedRow(_ i: Int) -> [TestValue] {
        let address: TestValue = i % 4 == 0 ? .null : .group([
            .string("city-\(i % 7)"),
            i % 3 == 0 ? .null : .string("\(10_000 + i)"),
            i % 5 == 0 ? .null : .group([.f64(Double(i) / 3), .f64(-Double(i))]),
        ])
        let tags: TestValue = i % 6 == 0 ? .null : i % 6 == 1 ? .list([])
            : .list((0..<(i % 5)).map { k in k == 1 ? .null : .string(strings[(i + k) % 10]) })
        let scores: TestValue = .list((0..<(i % 4)).map { .i64(Int64($0 * i)) })
        let when: TestValue = i % 2 == 0 ? .null : .list([.i64(Int64(i) * 1_000_000), .null])
        return [.i64(Int64(i)), address, tags, scores, when]
    }
}
