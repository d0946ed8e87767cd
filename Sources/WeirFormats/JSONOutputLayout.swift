/// The fields of an output object, compiled once: names as UTF-8 bytes and
/// the row slot each value comes from, used record after record.
public final class JSONOutputLayout: @unchecked Sendable {   // immutable after init
    public let fields: [(name: String, slot: Int)]
    let count: Int
    private let nameBytes: UnsafeMutablePointer<UInt8>
    private let nameStarts: UnsafeMutablePointer<Int>    // count + 1 offsets into nameBytes
    private let slots: UnsafeMutablePointer<Int>
    /// `"name":` per field, escaped as yajl escapes strings, for `JSONObjectWriter`.
    private let quoted: UnsafeMutablePointer<UInt8>
    private let quotedStarts: UnsafeMutablePointer<Int>

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

        var text: [UInt8] = []
        var starts: [Int] = []
        for field in fields {
            starts.append(text.count)
            text.append(UInt8(ascii: "\""))
            for b in field.name.utf8 {
                if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") { text.append(b) } else {
                    JSONObjectWriter.escape(b) { p, n in text.append(contentsOf: UnsafeBufferPointer(start: p, count: n)) }
                }
            }
            text.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        starts.append(text.count)
        quoted = .allocate(capacity: max(text.count, 1))
        quoted.initialize(from: text, count: text.count)
        quotedStarts = .allocate(capacity: starts.count)
        quotedStarts.initialize(from: starts, count: starts.count)
    }

    deinit {
        nameBytes.deallocate(); nameStarts.deallocate(); slots.deallocate()
        quoted.deallocate(); quotedStarts.deallocate()
    }

    @inline(__always) func quotedName(_ i: Int) -> (UnsafePointer<UInt8>, Int) {
        (UnsafePointer(quoted + quotedStarts[i]), quotedStarts[i + 1] - quotedStarts[i])
    }

    @inline(__always) func slot(_ i: Int) -> Int { slots[i] }
    @inline(__always) func name(_ i: Int) -> (UnsafePointer<UInt8>, Int) {
        (UnsafePointer(nameBytes + nameStarts[i]), nameStarts[i + 1] - nameStarts[i])
    }
}
