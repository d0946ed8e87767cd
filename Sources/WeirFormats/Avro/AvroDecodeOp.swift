/// One instruction of a compiled Avro decode plan. Plans are flat programs
/// (sub-programs for array items, map values and union branches are called
/// by index), so the per-record interpreter touches no classes and no ARC.
///
/// `dest` is a row slot, or `AvroDecodeOp.json`: append the value as JSON text
/// to the text being built (a whole record/array/map a pipeline reads as one
/// field, or the whole-record rendering for JSON output).
enum AvroDecodeOp: BitwiseCopyable {
    static let json: Int32 = -1

    case null(dest: Int32)
    case boolean(dest: Int32)
    /// int or long on the wire (zig-zag varint); `int32` checks the int range.
    case integer(dest: Int32, int32: Bool)
    /// int/long written, float/double read (Avro promotion).
    case integerAsDouble(dest: Int32, int32: Bool)
    case float(dest: Int32)
    case double(dest: Int32)
    /// Length-prefixed UTF-8 (checked).
    case string(dest: Int32)
    /// Length-prefixed bytes: a JSON string of code points 0–255 (Avro's JSON encoding).
    case bytes(dest: Int32)
    case fixed(dest: Int32, size: Int32)
    case decimalBytes(dest: Int32, precision: Int32, scale: Int32)
    case decimalFixed(dest: Int32, size: Int32, precision: Int32, scale: Int32)
    /// Writer symbol index → reader symbol (a constant), through table `table`.
    case enumeration(dest: Int32, table: Int32)
    /// Branch index → program, through table `table` (-1: no reader branch).
    case union(table: Int32)
    case array(items: Int32)
    case map(values: Int32)
    /// A constant (a reader default) into `dest`.
    case constant(dest: Int32, constant: Int32)

    // JSON text building
    case beginJSON
    case endJSON(slot: Int32)
    case openObject
    case closeObject
    /// `"name":` inside the current object (name is a constant's text).
    case key(constant: Int32)
    /// A key of the whole-record rendering's top level: also recorded as a member.
    case memberKey(constant: Int32, dropped: Bool)

    // skipping what nobody reads
    case skip(bytes: Int32)
    case skipVarint
    case skipBytes
    case skipArray(items: Int32)
    case skipMap(values: Int32)

    /// Runs a program at the current position (records, possibly recursive).
    case call(program: Int32)
    /// Runs a program at the current position, then rewinds (one value read two ways).
    case fork(program: Int32)
    /// The writer's data cannot be read as the reader's type (message: a constant).
    case fail(constant: Int32)
}

/// A constant of a plan: a reader default as a cell and as JSON text, or a
/// key/symbol/message text.
struct AvroConstant {
    enum Kind { case null, bool, int, double, string, json }
    var kind: Kind
    var int: Int64 = 0
    var double: Double = 0
    /// UTF-8 of a string value / key / symbol / message.
    var text: [UInt8] = []
    /// The value as JSON text (for JSON destinations and `.json` cells).
    var json: [UInt8] = []
}
