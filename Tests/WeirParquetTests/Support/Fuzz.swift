import Foundation
@testable import WeirParquet

/// Random schemas and rows for the property test: each case is a pure function
/// of its seed.
struct FuzzCase {
    let fields: [ParquetField]
    let rows: [[TestValue]]
    let options: ParquetWriterOptions

    init(seed: UInt64) {
        var rng = SplitMix(seed: seed)
        let fieldCount = Int(rng.next() % 6) + 1
        var fields: [ParquetField] = []
        for i in 0..<fieldCount {
            fields.append(ParquetField("f\(i)", Self.randomType(&rng, depth: 0), nullable: rng.next() % 2 == 0))
        }
        self.fields = fields
        let rowCount = Int(rng.next() % 4 == 0 ? rng.next() % 3 : rng.next() % 400)
        rows = (0..<rowCount).map { _ in fields.map { Self.randomValue($0.type, nullable: $0.nullable, &rng) } }
        var o = ParquetWriterOptions()
        o.compression = [.none, .snappy, .zstd(level: 1), .zstd(level: 9)][Int(rng.next() % 4)]
        o.pageBytes = [64, 512, 4096, 1 << 20][Int(rng.next() % 4)]
        o.rowGroupBytes = [256, 8192, 64 << 20][Int(rng.next() % 3)]
        o.dictionaryPageBytes = [16, 1024, 1 << 20][Int(rng.next() % 3)]
        o.dictionaryEnabled = rng.next() % 5 != 0
        options = o
    }

    static func randomType(_ rng: inout SplitMix, depth: Int) -> ParquetType {
        let primitives: [ParquetType] = [.boolean, .int32, .int64, .float, .double, .string, .binary, .date,
                                         .timestamp(.millis), .timestamp(.micros),
                                         .decimal(precision: 7, scale: 3), .decimal(precision: 16, scale: 0),
                                         .decimal(precision: 25, scale: 10)]
        switch rng.next() % 10 {
        case 0 where depth < 2:
            let n = Int(rng.next() % 3) + 1
            return .group((0..<n).map { ParquetField("g\($0)", randomType(&rng, depth: depth + 1), nullable: rng.next() % 2 == 0) })
        case 1:
            return .list(element: primitives[Int(rng.next() % UInt64(primitives.count))], elementNullable: rng.next() % 2 == 0)
        default:
            return primitives[Int(rng.next() % UInt64(primitives.count))]
        }
    }

    static func randomValue(_ t: ParquetType, nullable: Bool, _ rng: inout SplitMix) -> TestValue {
        if nullable && rng.next() % 5 == 0 { return .null }
        let r = rng.next()
        switch t {
        case .boolean: return .bool(r & 1 == 1)
        case .int32: return .i32(Int32(truncatingIfNeeded: r % 7 == 0 ? r : r % 2000) &- 1000)
        case .int64: return .i64(Int64(truncatingIfNeeded: r % 7 == 0 ? r : r % 100_000) &- 50_000)
        // Dates and instants within 1677...2262, what pandas' nanoseconds (fastparquet) hold.
        case .date: return .i32(Int32(r % 200_000) - 100_000)
        case .timestamp: return .i64(Int64(r % 14_000_000_000_000) - 7_000_000_000_000)
        case .float: return .f32(r % 11 == 0 ? .nan : Float(Int64(r % 10_000) - 5000) / 8)
        case .double: return .f64(r % 13 == 0 ? .nan : Double(Int64(truncatingIfNeeded: r >> 1)) / 1e6)
        case .string:
            let pool = ["", "x", "héllo", "数据", "\u{0}nul", "tab\t", String(repeating: "q", count: Int(r % 300))]
            return .string(r % 3 == 0 ? "s\(r % 50)" : pool[Int(r % UInt64(pool.count))])
        case .binary: return .bytes((0..<Int(r % 9)).map { UInt8(truncatingIfNeeded: r >> UInt64($0 * 7)) })
        case .decimal(let p, _):
            var limit: Int128 = 1
            for _ in 0..<p { limit *= 10 }
            let wide = Int128(r >> 1) * Int128(rng.next() >> 1) * (r & 1 == 0 ? 1 : -1)
            return .decimal(wide % limit)
        case .group(let children):
            return .group(children.map { randomValue($0.type, nullable: $0.nullable, &rng) })
        case .list(let element, let elementNullable):
            return .list((0..<Int(r % 5)).map { _ in randomValue(element, nullable: elementNullable, &rng) })
        case .map:
            return .null   // the fuzzer does not generate maps (randomType); the sink's tests write them
        }
    }
}
