import WeirEngine
import WeirFormats
import Yams

/// Records to push: `{value, key, headers, partition, topic, timestamp}`, or
/// `raw` (exact text) instead of `value`, or neither (no value: a tombstone).
enum InputRecordLoader {
    static let keys = ["value", "raw", "key", "headers", "partition", "topic", "timestamp", "schema"]

    static func list(_ node: Node, _ field: String, _ context: TestFileContext, _ reader: inout YAMLReader) -> [InputRecord]? {
        guard let items = reader.sequence(node, field, expected: "a list of records ({value: …, key: …})") else { return nil }
        var records: [InputRecord] = []
        var ok = true
        for (i, item) in items.enumerated() {
            if let r = load(item, "\(field)[\(i)]", context, &reader) { records.append(r) } else { ok = false }
        }
        return ok ? records : nil
    }

    static func load(_ node: Node, _ field: String, _ context: TestFileContext, _ reader: inout YAMLReader) -> InputRecord? {
        guard let m = reader.mapping(node, field, known: keys, expected: "a record: a mapping with value (and key, headers, partition, timestamp)") else {
            return nil
        }
        let before = reader.diagnostics.count
        var value = InputRecord.Value.none
        if m["value"] != nil, let r = m.entry("raw") {
            reader.error(m.path("raw"), r.keyNode, "a record has value or raw, not both")
        } else if let v = m["value"] {
            if let tv = reader.testValue(v, m.path("value")) { value = .structured(tv) }
        } else if let r = m["raw"] {
            if let text = reader.string(r, m.path("raw"), expected: "the record's exact text") { value = .raw(text) }
        }
        var key: [UInt8]?
        if let k = m["key"] {
            if context.readsFiles { reader.error(m.path("key"), k, "the pipeline reads files: lines have no key") }
            else { key = messageKey(k, m.path("key"), &reader) }
        }
        let headers = m["headers"].flatMap { headerList($0, m.path("headers"), &reader) } ?? []
        if context.readsFiles, let h = m.entry("headers") { reader.error(m.path("headers"), h.keyNode, "the pipeline reads files: lines have no headers") }
        let partition = m["partition"].flatMap { reader.int($0, m.path("partition"), in: 0...1023) } ?? 0
        let topic = m["topic"].flatMap { TestStepLoader.sourceTopic($0, m.path("topic"), context, &reader) }
        var timestamp: Int64?
        if let t = m["timestamp"] {
            if context.readsFiles { reader.error(m.path("timestamp"), t, "the pipeline reads files: lines have no Kafka timestamp") }
            else { timestamp = reader.instant(t, m.path("timestamp")) }
        }
        var schema: String?
        if let s = m["schema"] {
            if !context.readsAvro { reader.error(m.path("schema"), s, "the pipeline's source is not Avro; values are written as JSON") }
            else { schema = TestFileLoader.schema(s, m.path("schema"), &reader) }
        }
        if context.readsAvro, case .structured(let tv) = value {
            schema = schema ?? context.inputSchema
            if let text = schema {
                if let parsed = try? AvroSchema(parsing: text), AvroRowEncoder.encode(json: tv.jsonValue, schema: parsed, schemaID: 1) == nil {
                    reader.error(m.path("value"), m["value"] ?? node, "the value does not fit the Avro schema of the input (a field missing without a default, or of another type)")
                }
            } else {
                reader.error(m.path("value"), m["value"] ?? node, "the source reads Avro: give the writer schema (schema: {file: …} here, inputSchema: in the file, or source.schema in the pipeline), or write the bytes with raw:")
            }
        }
        guard reader.diagnostics.count == before else { return nil }
        return InputRecord(value: value, key: key, headers: headers, partition: partition, topic: topic,
                           timestampMs: timestamp, avroSchema: schema, location: reader.location(field, node))
    }

    /// A message key: a scalar's text, or a mapping/list as JSON text.
    static func messageKey(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> [UInt8]? {
        if case .scalar(let s) = node {
            return YAMLReader.isNull(s) ? nil : Array(s.string.utf8)
        }
        return reader.testValue(node, field).map { Array($0.json.utf8) }
    }

    /// `{name: value, …}`, each value a scalar's text.
    static func headerList(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> [(name: String, value: String)]? {
        guard let m = reader.openMapping(node, field, expected: "a mapping of header names to values") else { return nil }
        var out: [(name: String, value: String)] = []
        for e in m.entries {
            guard let text = reader.scalarText(e.value, m.path(e.key), what: "a header value") else { continue }
            out.append((e.key, text ?? ""))
        }
        return out
    }
}

extension TestValue {
    /// As the control plane's JSON value (Avro encoding of test inputs).
    public var jsonValue: JSONValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n): return n.int.map(JSONValue.int) ?? .double(n.double)
        case .string(let s): return .string(s)
        case .array(let a): return .array(a.map(\.jsonValue))
        case .object(let members):
            var o: [String: JSONValue] = [:]
            for m in members { o[m.name] = m.value.jsonValue }
            return .object(o)
        }
    }
}
