/// Field defaults: whether a JSON default fits its type (Avro spec: a union's
/// default belongs to its first branch; bytes/fixed defaults are strings of
/// code points 0–255).
enum AvroDefaults {
    /// `anyBranch`: a union matches when any branch does (a value), not only its first (a default).
    static func matches(_ v: JSONValue, _ type: AvroType, anyBranch: Bool = false) -> Bool {
        switch (type.underlying, v) {
        case (.null, .null): return true
        case (.boolean, .bool): return true
        case (.int, .int(let i)): return i >= Int64(Int32.min) && i <= Int64(Int32.max)
        case (.long, .int): return true
        case (.float, .int), (.float, .double), (.double, .int), (.double, .double): return true
        case (.string, .string): return true
        case (.bytes, .string(let s)): return s.unicodeScalars.allSatisfy { $0.value <= 0xFF }
        case (.fixed(let f), .string(let s)):
            return s.unicodeScalars.count == f.size && s.unicodeScalars.allSatisfy { $0.value <= 0xFF }
        case (.enumeration(let e), .string(let s)): return e.symbols.contains(s)
        case (.array(let items), .array(let a)): return a.allSatisfy { matches($0, items, anyBranch: anyBranch) }
        case (.map(let values), .object(let o)): return o.values.allSatisfy { matches($0, values, anyBranch: anyBranch) }
        case (.record(let r), .object(let o)):
            return r.fields.allSatisfy { f in
                if let v = o[f.name] { return matches(v, f.type, anyBranch: anyBranch) }
                return f.defaultValue != nil
            }
        case (.union(let branches), _):
            if anyBranch { return branches.contains { matches(v, $0, anyBranch: true) } }
            return branches.first.map { matches(v, $0) } ?? false
        default: return false
        }
    }
}
