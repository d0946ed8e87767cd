/// Avro's rule for record and field names: `[A-Za-z_][A-Za-z0-9_]*`.
public enum AvroNames {
    @inline(__always) private static func isLetter(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_")
    }

    @inline(__always) private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    public static func isValid(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLetter(first) else { return false }
        return name.utf8.allSatisfy { isLetter($0) || isDigit($0) }
    }

    /// A valid name made from any text: every other character becomes `_`,
    /// and a leading digit (or nothing) gets a `_` in front
    /// (`clicks-per-user` → `clicks_per_user`).
    public static func sanitized(_ text: String) -> String {
        var bytes = text.utf8.map { isLetter($0) || isDigit($0) ? $0 : UInt8(ascii: "_") }
        if bytes.first.map(isDigit) ?? true { bytes.insert(UInt8(ascii: "_"), at: 0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
