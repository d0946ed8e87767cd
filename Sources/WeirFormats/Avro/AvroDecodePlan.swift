/// A compiled decode plan for one (writer schema, reader schema, projection),
/// frozen into flat memory so the per-record interpreter (`AvroDecodeMachine`)
/// reads it without ARC or bounds-checked arrays. Immutable; shared by a
/// decoder across records of the same writer schema id.
final class AvroDecodePlan {
    let programCount: Int
    let ops: UnsafeMutablePointer<AvroDecodeOp>
    /// programCount + 1 offsets into `ops`.
    let programStarts: UnsafeMutablePointer<Int32>
    let constants: [AvroConstant]
    let constantCount: Int
    private let tablePool: UnsafeMutablePointer<Int32>
    private let tableStarts: UnsafeMutablePointer<Int32>        // tables + 1 offsets
    let tableCount: Int
    let slotCount: Int
    let rendersWhole: Bool

    init(programs: [[AvroDecodeOp]], constants: [AvroConstant], tables: [[Int32]], slotCount: Int, rendersWhole: Bool) {
        programCount = programs.count
        let total = programs.reduce(0) { $0 + $1.count }
        ops = .allocate(capacity: max(total, 1))
        programStarts = .allocate(capacity: programs.count + 1)
        var at = 0
        for (i, p) in programs.enumerated() {
            programStarts[i] = Int32(at)
            for op in p { (ops + at).initialize(to: op); at += 1 }
        }
        programStarts[programs.count] = Int32(at)
        self.constants = constants
        constantCount = constants.count
        let tableTotal = tables.reduce(0) { $0 + $1.count }
        tablePool = .allocate(capacity: max(tableTotal, 1))
        tableStarts = .allocate(capacity: tables.count + 1)
        at = 0
        for (i, t) in tables.enumerated() {
            tableStarts[i] = Int32(at)
            for v in t { tablePool[at] = v; at += 1 }
        }
        tableStarts[tables.count] = Int32(at)
        tableCount = tables.count
        self.slotCount = slotCount
        self.rendersWhole = rendersWhole
    }

    deinit {
        ops.deallocate(); programStarts.deallocate(); tablePool.deallocate(); tableStarts.deallocate()
    }

    /// Entry `i` of table `t`, nil when out of range (bad input: union/enum index).
    @inline(__always) func table(_ t: Int32, _ i: Int64) -> Int32? {
        let start = Int64(tableStarts[Int(t)]), end = Int64(tableStarts[Int(t) + 1])
        guard i >= 0, i < end - start else { return nil }
        return tablePool[Int(start + i)]
    }
}
