import WeirFormats

/// A value in a test file or a record under test: JSON's data model with
/// object members kept in order and numbers kept as written, so values print
/// back the way they were given and compare exactly.
public indirect enum TestValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(TestNumber)
    case string(String)
    case array([TestValue])
    case object([Member])

    public struct Member: Equatable, Sendable {
        public var name: String
        public var value: TestValue
        public init(_ name: String, _ value: TestValue) { self.name = name; self.value = value }
    }

    public subscript(_ name: String) -> TestValue? {
        if case .object(let members) = self { return members.last { $0.name == name }?.value }
        return nil
    }

    /// Compact JSON text (members in order, numbers as written).
    public var json: String {
        var out = ""
        writeJSON(to: &out)
        return out
    }

    public func writeJSON(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n.text
        case .string(let s): Self.quote(s, into: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() { if i > 0 { out += "," }; v.writeJSON(to: &out) }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, m) in members.enumerated() {
                if i > 0 { out += "," }
                Self.quote(m.name, into: &out); out += ":"
                m.value.writeJSON(to: &out)
            }
            out += "}"
        }
    }

    /// YAML flow style as test files write values: `{user_id: u1, clicks: 2}`,
    /// strings quoted only when YAML would read them otherwise.
    public var flow: String {
        var out = ""
        writeFlow(to: &out)
        return out
    }

    public func writeFlow(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n.text
        case .string(let s): Self.flowScalar(s, into: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() { if i > 0 { out += ", " }; v.writeFlow(to: &out) }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, m) in members.enumerated() {
                if i > 0 { out += ", " }
                Self.flowScalar(m.name, into: &out); out += ": "
                m.value.writeFlow(to: &out)
            }
            out += "}"
        }
    }

    /// A string as a plain YAML scalar when that reads back as the same
    /// string (in test files and in other YAML readers), else double-quoted.
    static func flowScalar(_ s: String, into out: inout String) {
        if isPlainSafe(s) { out += s } else { quote(s, into: &out) }
    }

    private static let reserved: Set<String> = ["true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"]

    static func isPlainSafe(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, s.unicodeScalars.count <= 200 else { return false }
        guard (first >= "a" && first <= "z") || (first >= "A" && first <= "Z") || first == "_" else { return false }
        for u in s.unicodeScalars {
            let ok = (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9")
                || u == "_" || u == "-" || u == "." || u == "/" || u == "@"
            if !ok { return false }
        }
        return !reserved.contains(s.lowercased())
    }

    /// A JSON string literal (also a valid YAML double-quoted scalar).
    public static func quote(_ s: String, into out: inout String) {
        JSONValue.quote(s, into: &out, escapingDelete: true)
    }
}

/// A number as written (`2.50`, `1e3`, `7`), with its value: an exact
/// integer when it is one that fits 64 bits, else the nearest double.
public struct TestNumber: Equatable, Sendable {
    public let text: String
    public let int: Int64?
    public let double: Double

    /// nil unless `text` is a JSON number.
    public init?(_ text: String) {
        guard Self.isJSONNumber(text), let d = Double(text) else { return nil }
        self.text = text
        double = d
        let integral = !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
        int = integral ? Int64(text) : nil
    }

    public init(_ i: Int64) { text = String(i); int = i; double = Double(i) }

    /// Numbers are equal when their values are (7 and 7.0 are one number,
    /// as JSON and Weir's keys mean them), not their texts.
    public static func == (a: TestNumber, b: TestNumber) -> Bool { a.equals(b, tolerance: 0) }

    /// Equal values; with a tolerance, values at most that far apart.
    public func equals(_ other: TestNumber, tolerance: Double) -> Bool {
        if let x = int, let y = other.int { return tolerance == 0 ? x == y : abs(Double(x) - Double(y)) <= tolerance }
        if tolerance == 0 {
            if let x = int { return Self.exactly(x, other.double) }
            if let y = other.int { return Self.exactly(y, double) }
            return double == other.double
        }
        return abs(double - other.double) <= tolerance
    }

    /// An integer and a double with the same value (no rounding either way).
    private static func exactly(_ i: Int64, _ d: Double) -> Bool {
        guard let back = Int64(exactly: d) else { return false }
        return back == i
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    static func isJSONNumber(_ text: String) -> Bool {
        let b = Array(text.utf8)
        var i = 0
        func digits() -> Int { let s = i; while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }; return i - s }
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count else { return false }
        if b[i] == UInt8(ascii: "0") { i += 1 } else if digits() == 0 { return false }
        if i < b.count, b[i] == UInt8(ascii: ".") { i += 1; if digits() == 0 { return false } }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            if digits() == 0 { return false }
        }
        return i == b.count
    }
}
