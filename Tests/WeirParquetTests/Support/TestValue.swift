import Foundation
@testable import WeirParquet

/// A value of a test row, written through the column API and described in the
/// expect.json that tests/parquet/readback.py compares the readers against.
indirect enum TestValue {
    case null
    case bool(Bool)
    case i32(Int32)
    case i64(Int64)
    case f32(Float)
    case f64(Double)
    case string(String)
    case bytes([UInt8])
    case decimal(Int128)
    case list([TestValue])
    case group([TestValue])
}

/// Appends `row` (one value per top-level field) to `writer` and ends the row.
func write(row: [TestValue], to writer: ParquetWriter) throws {
    var leaf = 0
    for (field, value) in zip(writer.schema.fields, row) {
        append(value, field: field, depth: 0, writer: writer, leaf: &leaf)
    }
    try writer.endRow()
}

private func leafCount(_ t: ParquetType) -> Int {
    switch t {
    case .group(let children): children.reduce(0) { $0 + leafCount($1.type) }
    default: 1
    }
}

private func append(_ value: TestValue, field: ParquetField, depth: Int, writer: ParquetWriter, leaf: inout Int) {
    switch field.type {
    case .group(let children):
        if case .group(let values) = value {
            for (c, v) in zip(children, values) { append(v, field: c, depth: depth + 1, writer: writer, leaf: &leaf) }
        } else {
            for i in leaf..<(leaf + leafCount(field.type)) { writer.column(i).appendNull(depth: depth) }
            leaf += leafCount(field.type)
        }
    case .list:
        let column = writer.column(leaf)
        leaf += 1
        if case .list(let elements) = value {
            column.startList()
            for e in elements { appendPrimitive(e, column) }
            column.endList()
        } else {
            column.appendNullList()
        }
    default:
        let column = writer.column(leaf)
        leaf += 1
        if case .null = value { column.appendNull(depth: depth) } else { appendPrimitive(value, column) }
    }
}

private func appendPrimitive(_ v: TestValue, _ c: ColumnWriter) {
    switch v {
    case .null: c.appendNull()
    case .bool(let b): c.append(b)
    case .i32(let x): c.append(x)
    case .i64(let x): c.append(x)
    case .f32(let x): c.append(x)
    case .f64(let x): c.append(x)
    case .string(let s): c.append(s)
    case .bytes(let b): c.append(bytes: b)
    case .decimal(let d): c.appendDecimal(unscaled: d)
    case .list, .group: c.appendNull()
    }
}

// MARK: expect.json

func schemaJSON(_ fields: [ParquetField]) -> [Any] { fields.map(fieldJSON) }

private func fieldJSON(_ f: ParquetField) -> [String: Any] {
    var d = typeJSON(f.type)
    d["name"] = f.name
    d["nullable"] = f.nullable
    return d
}

private func typeJSON(_ t: ParquetType) -> [String: Any] {
    switch t {
    case .boolean: ["type": "boolean"]
    case .int32: ["type": "int32"]
    case .int64: ["type": "int64"]
    case .float: ["type": "float"]
    case .double: ["type": "double"]
    case .string: ["type": "string"]
    case .binary: ["type": "binary"]
    case .date: ["type": "date"]
    case .timestamp(.millis): ["type": "timestamp_millis"]
    case .timestamp(.micros): ["type": "timestamp_micros"]
    case .decimal(let p, let s): ["type": "decimal", "precision": p, "scale": s]
    case .group(let children): ["type": "group", "children": children.map(fieldJSON)]
    case .list(let element, let nullable):
        ["type": "list", "element": typeJSON(element).merging(["name": "element", "nullable": nullable]) { a, _ in a }]
    }
}

func valueJSON(_ v: TestValue, _ t: ParquetType) -> Any {
    switch v {
    case .null: return NSNull()
    case .bool(let b): return b
    case .i32(let x): return x
    case .i64(let x): return x
    case .f32(let x): return floatJSON(Double(x))
    case .f64(let x): return floatJSON(x)
    case .string(let s): return s
    case .bytes(let b): return b.map { String(format: "%02x", $0) }.joined()
    case .decimal(let d): return String(d)
    case .list(let elements):
        guard case .list(let element, _) = t else { return NSNull() }
        return elements.map { valueJSON($0, element) }
    case .group(let values):
        guard case .group(let children) = t else { return NSNull() }
        var d: [String: Any] = [:]
        for (c, v) in zip(children, values) { d[c.name] = valueJSON(v, c.type) }
        return d
    }
}

private func floatJSON(_ x: Double) -> Any {
    if x.isNaN { return ["f": "nan"] }
    if x.isInfinite { return ["f": x > 0 ? "inf" : "-inf"] }
    return x
}

/// Writes `name.parquet` (through the writer) and `name.expect.json` into `dir`.
func writeFixture(_ name: String, in dir: URL, fields: [ParquetField], rows: [[TestValue]],
                  options: ParquetWriterOptions = .init(), keyValues: [(key: String, value: String)] = [],
                  expect: [String: Any] = [:]) throws {
    let schema = try ParquetSchema(fields)
    let path = dir.appendingPathComponent("\(name).parquet").path
    let output = try FileDescriptorOutput(path: path)
    let writer = try ParquetWriter(schema: schema, output: output, options: options)
    writer.keyValueMetadata = keyValues
    for row in rows { try write(row: row, to: writer) }
    try writer.close()
    try output.close()
    var expectation = expect
    if expectation["compression"] == nil {
        switch options.compression {
        case .none: expectation["compression"] = "UNCOMPRESSED"
        case .snappy: expectation["compression"] = "SNAPPY"
        case .zstd: expectation["compression"] = "ZSTD"
        }
    }
    if !keyValues.isEmpty {
        expectation["key_value"] = Dictionary(keyValues.map { ($0.key, $0.value) }) { a, _ in a }
    }
    let doc: [String: Any] = [
        "schema": schemaJSON(fields),
        "rows": rows.map { row in
            Dictionary(uniqueKeysWithValues: zip(fields, row).map { ($0.name, valueJSON($1, $0.type)) })
        },
        "expect": expectation,
    ]
    var text = ""
    encodeJSON(doc, into: &text)
    try Data(text.utf8).write(to: dir.appendingPathComponent("\(name).expect.json"))
}

/// A small JSON encoder (Foundation's JSONSerialization traps on some strings on
/// Linux): strings escaped per RFC 8259, doubles in Swift's shortest round-trip form.
func encodeJSON(_ v: Any, into out: inout String) {
    switch v {
    case is NSNull: out += "null"
    case let b as Bool: out += b ? "true" : "false"
    case let x as Int: out += String(x)
    case let x as Int32: out += String(x)
    case let x as Int64: out += String(x)
    case let x as Double: out += x == x.rounded() && abs(x) < 1e15 ? String(format: "%.1f", x) : "\(x)"
    case let s as String:
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        out += "\""
    case let a as [Any]:
        out += "["
        for (i, e) in a.enumerated() { if i > 0 { out += "," }; encodeJSON(e, into: &out) }
        out += "]"
    case let d as [String: Any]:
        out += "{"
        for (i, k) in d.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            encodeJSON(k, into: &out)
            out += ":"
            encodeJSON(d[k] ?? NSNull(), into: &out)
        }
        out += "}"
    default: out += "\"<unencodable \(type(of: v))>\""
    }
}
