/// A normalized schema text for deduplication in the registry: Avro's Parsing
/// Canonical Form (full names, fixed attribute order, no docs or whitespace)
/// extended with what changes meaning for Weir and for compatibility —
/// defaults, aliases and logical types — so schemas differing only in those
/// get different ids, as in Confluent's registry.
enum AvroCanonicalForm {
    static func text(of type: AvroType) -> String {
        var out = ""
        var seen: Set<String> = []
        write(type, &out, &seen)
        return out
    }

    private static func write(_ type: AvroType, _ out: inout String, _ seen: inout Set<String>) {
        switch type {
        case .null, .boolean, .int, .long, .float, .double, .bytes, .string:
            JSONValue.quote(type.typeName, into: &out)
        case .logical(let l, let base):
            out += "{\"type\":"
            if case .fixed(let f) = base, !seen.contains(f.fullName) {
                seen.insert(f.fullName)
                out += "\"fixed\",\"name\":"; JSONValue.quote(f.fullName, into: &out); out += ",\"size\":\(f.size)"
            } else if case .fixed(let f) = base {
                JSONValue.quote(f.fullName, into: &out)
            } else {
                JSONValue.quote(base.typeName, into: &out)
            }
            out += ",\"logicalType\":"
            switch l {
            case .date: out += "\"date\""
            case .timeMillis: out += "\"time-millis\""
            case .timeMicros: out += "\"time-micros\""
            case .timestampMillis: out += "\"timestamp-millis\""
            case .timestampMicros: out += "\"timestamp-micros\""
            case .localTimestampMillis: out += "\"local-timestamp-millis\""
            case .localTimestampMicros: out += "\"local-timestamp-micros\""
            case .uuid: out += "\"uuid\""
            case .decimal(let p, let s): out += "\"decimal\",\"precision\":\(p),\"scale\":\(s)"
            }
            out += "}"
        case .record(let r):
            if seen.contains(r.fullName) { JSONValue.quote(r.fullName, into: &out); return }
            seen.insert(r.fullName)
            out += "{\"name\":"; JSONValue.quote(r.fullName, into: &out)
            out += ",\"type\":\"record\",\"fields\":["
            for (i, f) in r.fields.enumerated() {
                if i > 0 { out += "," }
                out += "{\"name\":"; JSONValue.quote(f.name, into: &out)
                out += ",\"type\":"; write(f.type, &out, &seen)
                if let d = f.defaultValue { out += ",\"default\":"; d.write(to: &out) }
                if !f.aliases.isEmpty { out += ",\"aliases\":"; JSONValue.array(f.aliases.map(JSONValue.string)).write(to: &out) }
                out += "}"
            }
            out += "]"
            if !r.aliases.isEmpty { out += ",\"aliases\":"; JSONValue.array(r.aliases.map(JSONValue.string)).write(to: &out) }
            out += "}"
        case .enumeration(let e):
            if seen.contains(e.fullName) { JSONValue.quote(e.fullName, into: &out); return }
            seen.insert(e.fullName)
            out += "{\"name\":"; JSONValue.quote(e.fullName, into: &out)
            out += ",\"type\":\"enum\",\"symbols\":"; JSONValue.array(e.symbols.map(JSONValue.string)).write(to: &out)
            if let d = e.defaultSymbol { out += ",\"default\":"; JSONValue.quote(d, into: &out) }
            out += "}"
        case .fixed(let f):
            if seen.contains(f.fullName) { JSONValue.quote(f.fullName, into: &out); return }
            seen.insert(f.fullName)
            out += "{\"name\":"; JSONValue.quote(f.fullName, into: &out); out += ",\"type\":\"fixed\",\"size\":\(f.size)}"
        case .array(let items):
            out += "{\"type\":\"array\",\"items\":"; write(items, &out, &seen); out += "}"
        case .map(let values):
            out += "{\"type\":\"map\",\"values\":"; write(values, &out, &seen); out += "}"
        case .union(let branches):
            out += "["
            for (i, b) in branches.enumerated() { if i > 0 { out += "," }; write(b, &out, &seen) }
            out += "]"
        }
    }
}
