/// The Avro type a set of cell kinds is written as, and which branch each
/// kind takes: `null`, `boolean`, `long`, `double`, `string` in that order,
/// for the kinds present (objects/arrays share `string`, as their JSON text).
/// One kind is a plain type; several are a union, null first (so the field
/// can default to null). The derived schema text and the encoder both come
/// from this one table, so they cannot disagree.
struct AvroResultBranches: Equatable {
    /// Branch index per kind; -1 when the type has no branch for it.
    var null: Int8 = -1, bool: Int8 = -1, long: Int8 = -1, double: Int8 = -1, string: Int8 = -1
    private(set) var count: Int8 = 0

    var isUnion: Bool { count > 1 }

    init(_ kinds: CellKinds) {
        func next() -> Int8 { defer { count += 1 }; return count }
        if kinds.contains(.null) || kinds.isEmpty { null = next() }
        if kinds.contains(.bool) { bool = next() }
        if kinds.contains(.int) { long = next() }
        if kinds.contains(.double) { double = next() }
        if !kinds.isDisjoint(with: [.string, .json]) { string = next() }
    }

    /// Avro type names, in branch order.
    var typeNames: [String] {
        var names: [(Int8, String)] = []
        if null >= 0 { names.append((null, "null")) }
        if bool >= 0 { names.append((bool, "boolean")) }
        if long >= 0 { names.append((long, "long")) }
        if double >= 0 { names.append((double, "double")) }
        if string >= 0 { names.append((string, "string")) }
        return names.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The schema JSON of the type.
    var typeJSON: String {
        let names = typeNames.map { "\"\($0)\"" }
        return names.count == 1 ? names[0] : "[" + names.joined(separator: ",") + "]"
    }

    // MARK: writing one value (no allocation; a static reason when it does not fit)

    @inline(__always) private func branch(_ i: Int8, _ w: inout AvroBinaryWriter) {
        if isUnion { w.long(Int64(i)) }
    }

    @inline(__always) func writeNull(_ w: inout AvroBinaryWriter) -> StaticString? {
        guard null >= 0 else { return "null where the schema has no null" }
        branch(null, &w)
        return nil
    }

    @inline(__always) func writeBool(_ v: Bool, _ w: inout AvroBinaryWriter) -> StaticString? {
        guard bool >= 0 else { return "a boolean where the schema has no boolean" }
        branch(bool, &w); w.byte(v ? 1 : 0)
        return nil
    }

    /// An int goes to `long`, else to `double` (exact up to 2^53; window keys
    /// stored as 7 for 7.0 come back as ints).
    @inline(__always) func writeInt(_ v: Int64, _ w: inout AvroBinaryWriter) -> StaticString? {
        if long >= 0 { branch(long, &w); w.long(v); return nil }
        if double >= 0 { branch(double, &w); w.double(Double(v)); return nil }
        return "an integer where the schema has no number"
    }

    /// A double goes to `double`, else an integral one to `long`.
    @inline(__always) func writeDouble(_ d: Double, _ w: inout AvroBinaryWriter) -> StaticString? {
        if double >= 0 { branch(double, &w); w.double(d); return nil }
        if long >= 0, d.rounded(.towardZero) == d, d >= -9_223_372_036_854_775_808.0, d < 9_223_372_036_854_775_808.0 {
            branch(long, &w); w.long(Int64(d)); return nil
        }
        return "a double where the schema has no double"
    }

    /// Branch and length of a string; the caller writes its `length` bytes.
    @inline(__always) func beginString(length: Int, _ w: inout AvroBinaryWriter) -> StaticString? {
        guard string >= 0 else { return "text where the schema has no string" }
        branch(string, &w); w.long(Int64(length))
        return nil
    }
}
