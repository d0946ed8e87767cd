/// Avro schema resolution (the spec's "Schema Resolution" section): whether
/// data written with one schema can be read with another. Used by the decode
/// planner (a writer schema that does not resolve fails every record written
/// with it) and by the registry's compatibility checks.
///
/// avro-c has a resolver, but it refuses reader fields absent from the writer
/// even when they have a default, which is the most common evolution; hence
/// this implementation.
public enum AvroResolution {
    /// Why data written with `writer` cannot be read as `reader`; empty when it can.
    public static func problems(writer: AvroType, reader: AvroType) -> [String] {
        var c = Checker()
        c.check(writer, reader, path: "")
        return c.problems
    }

    /// The reader branch a non-union writer type resolves to: an exact match
    /// first, then the first branch it promotes to (Avro spec).
    static func branch(for writer: AvroType, in readerBranches: [AvroType]) -> Int? {
        if let exact = readerBranches.firstIndex(where: { sameKind(writer, $0) }) { return exact }
        var c = Checker()
        return readerBranches.firstIndex { b in
            if case .union = b.underlying { return false }
            c.problems = []; c.visited = []
            c.check(writer, b, path: "")
            return c.problems.isEmpty
        }
    }

    static func namesMatch(_ writer: String, _ reader: String, readerAliases: [String]) -> Bool {
        func short(_ s: String) -> Substring { s.split(separator: ".").last ?? Substring(s) }
        return writer == reader || short(writer) == short(reader) || readerAliases.contains(writer)
            || readerAliases.contains { short($0) == short(writer) }
    }

    private static func sameKind(_ w: AvroType, _ r: AvroType) -> Bool {
        switch (w.underlying, r.underlying) {
        case (.null, .null), (.boolean, .boolean), (.int, .int), (.long, .long), (.float, .float),
             (.double, .double), (.bytes, .bytes), (.string, .string), (.array, .array), (.map, .map):
            return true
        case (.record(let a), .record(let b)): return namesMatch(a.fullName, b.fullName, readerAliases: b.aliases)
        case (.enumeration(let a), .enumeration(let b)): return namesMatch(a.fullName, b.fullName, readerAliases: b.aliases)
        case (.fixed(let a), .fixed(let b)): return namesMatch(a.fullName, b.fullName, readerAliases: b.aliases) && a.size == b.size
        default: return false
        }
    }

    private struct Checker {
        var problems: [String] = []
        var visited: Set<String> = []

        mutating func fail(_ path: String, _ message: String) {
            problems.append(path.isEmpty ? message : "\(path): \(message)")
        }

        mutating func check(_ writer: AvroType, _ reader: AvroType, path: String) {
            let w = writer.underlying, r = reader.underlying
            if case .union(let wb) = w {
                for b in wb {
                    let before = problems.count
                    check(b, reader, path: path)
                    if problems.count > before { return }
                }
                return
            }
            if case .union(let rb) = r {
                if AvroResolution.branch(for: w, in: rb) == nil {
                    fail(path, "the reader's union has no branch for the writer's \(w.typeName)")
                }
                return
            }
            switch (w, r) {
            case (.null, .null), (.boolean, .boolean), (.int, .int), (.long, .long), (.float, .float), (.double, .double),
                 (.string, .string), (.bytes, .bytes), (.string, .bytes), (.bytes, .string),
                 (.int, .long), (.int, .float), (.int, .double), (.long, .float), (.long, .double), (.float, .double):
                return
            case (.array(let wi), .array(let ri)):
                check(wi, ri, path: path + "[]")
            case (.map(let wv), .map(let rv)):
                check(wv, rv, path: path + "{}")
            case (.fixed(let a), .fixed(let b)):
                if !namesMatch(a.fullName, b.fullName, readerAliases: b.aliases) { fail(path, "fixed '\(a.fullName)' read as '\(b.fullName)'") }
                else if a.size != b.size { fail(path, "fixed '\(a.fullName)' has size \(a.size), the reader expects \(b.size)") }
            case (.enumeration(let a), .enumeration(let b)):
                if !namesMatch(a.fullName, b.fullName, readerAliases: b.aliases) { fail(path, "enum '\(a.fullName)' read as '\(b.fullName)'"); return }
                if b.defaultSymbol == nil {
                    let missing = a.symbols.filter { !b.symbols.contains($0) }
                    if !missing.isEmpty { fail(path, "enum '\(b.fullName)' lacks the writer's symbols \(missing) and has no default") }
                }
            case (.record(let a), .record(let b)):
                if !namesMatch(a.fullName, b.fullName, readerAliases: b.aliases) { fail(path, "record '\(a.fullName)' read as '\(b.fullName)'"); return }
                let key = a.fullName + "→" + b.fullName
                if visited.contains(key) { return }             // recursive types: checked once
                visited.insert(key)
                for rf in b.fields {
                    let fieldPath = path.isEmpty ? rf.name : path + "." + rf.name
                    if let wf = AvroResolution.writerField(for: rf, in: a) {
                        check(wf.type, rf.type, path: fieldPath)
                    } else if rf.defaultValue == nil {
                        fail(fieldPath, "the reader's field has no default and the writer has no such field")
                    }
                }
            default:
                fail(path, "the writer's \(w.typeName) cannot be read as \(r.typeName)")
            }
        }
    }

    /// The writer field a reader field reads: same name, or one of the reader field's aliases.
    static func writerField(for readerField: AvroField, in writer: AvroRecord) -> AvroField? {
        writer.field(named: readerField.name) ?? readerField.aliases.lazy.compactMap { writer.field(named: $0) }.first
    }
}
