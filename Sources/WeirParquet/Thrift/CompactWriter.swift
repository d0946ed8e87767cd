/// Writes the Thrift compact protocol: the encoding of Parquet's footer and page headers.
///
/// Only what Parquet needs is here (structs, lists, i32/i64, binary, bool, double).
/// The writer is reused between page headers, so its buffers keep their capacity.
struct CompactWriter {
    private(set) var bytes: [UInt8] = []
    /// The id of the last field written in each open struct: field headers are
    /// deltas from it. The outermost struct's entry is always present.
    private var lastFieldIDs: [Int16] = [0]

    init() {
        bytes.reserveCapacity(256)
        lastFieldIDs.reserveCapacity(8)
    }

    /// Forgets what was written, keeping capacity.
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        lastFieldIDs.removeAll(keepingCapacity: true)
        lastFieldIDs.append(0)
    }

    // MARK: primitives

    mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
    static func zigzag(_ v: Int32) -> UInt64 { UInt64(UInt32(bitPattern: (v << 1) ^ (v >> 31))) }

    mutating func writeI32(_ v: Int32) { writeVarint(Self.zigzag(v)) }
    mutating func writeI64(_ v: Int64) { writeVarint(Self.zigzag(v)) }

    mutating func writeBinary(_ b: some Collection<UInt8>) {
        writeVarint(UInt64(b.count))
        bytes.append(contentsOf: b)
    }

    mutating func writeString(_ s: String) { writeBinary(s.utf8) }

    // MARK: structure

    /// A field header: a one-byte delta form when the id grows by 1...15, else
    /// the type byte followed by the zigzag id.
    mutating func writeFieldHeader(_ id: Int16, _ type: CompactType) {
        let last = lastFieldIDs[lastFieldIDs.count - 1]
        let delta = Int(id) - Int(last)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            writeVarint(Self.zigzag(Int32(id)))
        }
        lastFieldIDs[lastFieldIDs.count - 1] = id
    }

    mutating func writeListHeader(count: Int, _ element: CompactType) {
        if count < 15 {
            bytes.append(UInt8(count) << 4 | element.rawValue)
        } else {
            bytes.append(0xF0 | element.rawValue)
            writeVarint(UInt64(count))
        }
    }

    /// Opens a nested struct (field header already written, or a list element).
    mutating func beginStruct() { lastFieldIDs.append(0) }

    /// Writes the stop byte and returns to the enclosing struct's field ids.
    mutating func endStruct() {
        bytes.append(0)
        if lastFieldIDs.count > 1 { lastFieldIDs.removeLast() }
    }

    // MARK: fields

    mutating func field(_ id: Int16, i32 v: Int32) { writeFieldHeader(id, .i32); writeI32(v) }
    mutating func field(_ id: Int16, i64 v: Int64) { writeFieldHeader(id, .i64); writeI64(v) }
    /// Booleans live in the field header's type nibble.
    mutating func field(_ id: Int16, bool v: Bool) { writeFieldHeader(id, v ? .booleanTrue : .booleanFalse) }
    mutating func field(_ id: Int16, string v: String) { writeFieldHeader(id, .binary); writeString(v) }
    mutating func field(_ id: Int16, binary v: [UInt8]) { writeFieldHeader(id, .binary); writeBinary(v) }

    mutating func field(_ id: Int16, struct body: (inout CompactWriter) -> Void) {
        writeFieldHeader(id, .struct)
        beginStruct()
        body(&self)
        endStruct()
    }

    mutating func field(_ id: Int16, i32List values: [Int32]) {
        writeFieldHeader(id, .list)
        writeListHeader(count: values.count, .i32)
        for v in values { writeI32(v) }
    }

    mutating func field(_ id: Int16, stringList values: [String]) {
        writeFieldHeader(id, .list)
        writeListHeader(count: values.count, .binary)
        for v in values { writeString(v) }
    }

    mutating func field<T>(_ id: Int16, structList values: [T], _ body: (inout CompactWriter, T) -> Void) {
        writeFieldHeader(id, .list)
        writeListHeader(count: values.count, .struct)
        for v in values {
            beginStruct()
            body(&self, v)
            endStruct()
        }
    }
}
