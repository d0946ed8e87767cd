/// Hive-style partition directories, `name=value/name=value`, built from
/// record data that must never leave the sink's directory (docs/parquet.md).
///
/// Values are escaped as Hive's `FileUtils.escapePathName` does (`%XX`,
/// upper-case hex) for every byte that Hive escapes plus every byte that
/// could mean something to a path or a shell: control bytes, '/', '\\', '=',
/// '%', ':', '"', '\'', '#', '*', '?', '[', ']', '{', '}', '^', DEL; and a
/// value that is only dots. A null, missing or empty value is Hive's
/// `__HIVE_DEFAULT_PARTITION__`. Each level is one path component, so no
/// value can climb out with `..` or `/`. Bytes ≥ 0x80 (UTF-8 text) are kept.
/// Works on bytes into a reused buffer: no allocation per record once grown.
public enum HivePartitionPath {
    public static let defaultPartition = Array("__HIVE_DEFAULT_PARTITION__".utf8)
    /// A file name holds at most 255 bytes; an escaped value beyond this is refused.
    public static let maxComponentBytes = 200

    @inline(__always)
    static func mustEscape(_ b: UInt8) -> Bool {
        switch b {
        case 0x00...0x1F, 0x7F: return true
        case UInt8(ascii: "\""), UInt8(ascii: "#"), UInt8(ascii: "%"), UInt8(ascii: "'"), UInt8(ascii: "*"),
             UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "\\"),
             UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "^"):
            return true
        default: return false
        }
    }

    private static let hex = Array("0123456789ABCDEF".utf8)

    /// Appends `name=escaped(value)` to `out`; false when the escaped value is too long.
    @inline(__always)
    public static func appendComponent(name: [UInt8], value: UnsafeRawBufferPointer?, to out: inout [UInt8]) -> Bool {
        out.append(contentsOf: name)
        out.append(UInt8(ascii: "="))
        guard let value, !value.isEmpty else {
            out.append(contentsOf: defaultPartition)
            return true
        }
        let start = out.count
        // Index loops: unoptimized builds heap-allocate generic iterators and closures.
        var onlyDots = true
        var i = 0
        while i < value.count { if value[i] != UInt8(ascii: ".") { onlyDots = false; break }; i += 1 }
        i = 0
        while i < value.count {
            let b = value[i]
            i += 1
            if mustEscape(b) || (onlyDots && b == UInt8(ascii: ".")) {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0x0F)])
            } else {
                out.append(b)
            }
        }
        return out.count - start <= maxComponentBytes
    }

    /// The value back from its escaped form (tests and tools; allocates).
    public static func unescape(_ s: String) -> [UInt8] {
        let bytes = Array(s.utf8)
        if bytes == defaultPartition { return [] }
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
               let h = hexValue(bytes[i + 1]), let l = hexValue(bytes[i + 2]) {
                out.append(h << 4 | l); i += 3
            } else {
                out.append(bytes[i]); i += 1
            }
        }
        return out
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
