/// The fields of an output object, compiled once: names as UTF-8 bytes and
/// the row slot each value comes from, used record after record.
public final class JSONOutputLayout: @unchecked Sendable {   // immutable after init
    public let fields: [(name: String, slot: Int)]
    let count: Int
    private let nameBytes: UnsafeMutablePointer<UInt8>
    private let nameStarts: UnsafeMutablePointer<Int>    // count + 1 offsets into nameBytes
    private let slots: UnsafeMutablePointer<Int>

    public init(_ fields: [(name: String, slot: Int)]) {
        self.fields = fields
        count = fields.count
        let total = fields.reduce(0) { $0 + $1.name.utf8.count }
        nameBytes = .allocate(capacity: max(total, 1))
        nameStarts = .allocate(capacity: fields.count + 1)
        slots = .allocate(capacity: max(fields.count, 1))
        var at = 0
        for (i, field) in fields.enumerated() {
            nameStarts[i] = at
            for byte in field.name.utf8 { nameBytes[at] = byte; at += 1 }
            slots[i] = field.slot
        }
        nameStarts[fields.count] = at
    }

    deinit { nameBytes.deallocate(); nameStarts.deallocate(); slots.deallocate() }

    @inline(__always) func slot(_ i: Int) -> Int { slots[i] }
    @inline(__always) func name(_ i: Int) -> (UnsafePointer<UInt8>, Int) {
        (UnsafePointer(nameBytes + nameStarts[i]), nameStarts[i + 1] - nameStarts[i])
    }
}
