import WeirEngine
import WeirFormats

/// `date(ms)` and `hour(ms)`: the UTC calendar day (`YYYY-MM-DD`) and hour
/// (0–23) of epoch milliseconds — the usual partition columns of a lake
/// (`partitionBy: [{dt: "date(ts)"}, {hour: "hour(ts)"}]`). Allocation-free:
/// the date is written into the row's arena.
final class UTCDateNode: RowExpression {
    enum Part { case date, hour }
    let part: Part
    let argument: RowExpression
    let source: String
    init(_ part: Part, _ argument: RowExpression, source: String) { self.part = part; self.argument = argument; self.source = source }

    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        let ms: Int64
        switch try argument.evaluate(&row) {
        case .missing, .null: return .null
        case .int(let v): ms = v
        case .double(let d) where d.isFinite && abs(d) < 9e15: ms = Int64(d.rounded(.down))
        default: throw EvalError("\(part == .date ? "date" : "hour")() needs epoch milliseconds (a number) in \(source)")
        }
        let msPerDay: Int64 = 86_400_000
        let day = ms >= 0 ? ms / msPerDay : (ms - msPerDay + 1) / msPerDay   // floor division
        if part == .hour { return .int((ms - day * msPerDay) / 3_600_000) }
        let (y, m, d) = CivilDate.civil(fromDays: day)
        guard (0...9999).contains(y) else { throw EvalError("date() of \(ms) is outside years 0000-9999 in \(source)") }
        let start = row.arena.count
        func two(_ v: Int64) { row.arena.append(UInt8(48 + v / 10)); row.arena.append(UInt8(48 + v % 10)) }
        two(y / 100); two(y % 100)
        row.arena.append(UInt8(ascii: "-")); two(m)
        row.arena.append(UInt8(ascii: "-")); two(d)
        return .string(ByteSpan(start: start, count: 10))
    }
}
