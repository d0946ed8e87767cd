import Foundation
import WeirEngine
import WeirFormats
import Yams

/// Reads the format keys of a pipeline: `schemaRegistry` (top level),
/// `source.schema`, `source.required`, `sink.schema`, `sink.subjectStrategy`.
/// The source and sink loaders accept these keys; their values are read here.
enum FormatLoader {
    static let sourceKeys = ["schema", "required"]
    static let sinkKeys = ["schema", "subjectStrategy"]

    static func load(root m: YAMLMapping, sourceFormat: JobSpec.Format?, sinkFormat: JobSpec.Format?,
                     _ reader: inout YAMLReader) -> FormatDefinition {
        var d = FormatDefinition()
        if let r = m["schemaRegistry"] { d.registry = registry(r, &reader) }
        if let s = m["source"], case .mapping(let sm) = s {
            for (k, v) in sm {
                guard case .scalar(let key) = k else { continue }
                switch key.string {
                case "schema":
                    guard let text = schemaText(v, "source.schema", &reader) else { continue }
                    guard sourceFormat == .avro else {
                        reader.error("source.schema", v, "a reader schema needs format avro")
                        continue
                    }
                    do { d.readerSchema = try AvroSchema(parsing: text) }
                    catch { reader.error("source.schema", v, error.description) }
                case "required":
                    guard let list = reader.stringList(v, "source.required", element: "a field path") else { continue }
                    for (i, (name, node)) in list.enumerated() {
                        if FieldPath(parsing: name) == nil { reader.error("source.required[\(i)]", node, "expected a field path such as user_id or page.host"); continue }
                        d.required.append(Located(name, at: reader.location("source.required[\(i)]", node)))
                    }
                default: continue
                }
            }
        }
        if let s = m["sink"], case .mapping(let sm) = s {
            var strategy = SubjectNameStrategy.topic
            var text: String?
            var schemaNode: Node?
            for (k, v) in sm {
                guard case .scalar(let key) = k else { continue }
                switch key.string {
                case "schema":
                    text = schemaText(v, "sink.schema", &reader); schemaNode = v
                case "subjectStrategy":
                    guard let s = reader.string(v, "sink.subjectStrategy") else { continue }
                    guard let st = SubjectNameStrategy(rawValue: s) else {
                        reader.error("sink.subjectStrategy", v, "expected one of: \(SubjectNameStrategy.allCases.map(\.rawValue).joined(separator: ", ")), found '\(s)'")
                        continue
                    }
                    strategy = st
                default: continue
                }
            }
            d.subjectStrategy = strategy
            if let text, let node = schemaNode {
                d.outputLocation = reader.location("sink.schema", node)
                switch sinkFormat {
                case .avro?:
                    do {
                        let schema = try AvroSchema(parsing: text)
                        if case .record = schema.root.underlying {
                            d.output = OutputSchema(kind: .avro, text: text, avro: schema, subjectStrategy: strategy)
                        } else {
                            reader.error("sink.schema", node, "the output schema must be an Avro record")
                        }
                    } catch { reader.error("sink.schema", node, error.description) }
                case .jsonSchema?:
                    if (try? JSONValue.parse(text)) == nil { reader.error("sink.schema", node, "a JSON Schema must be JSON") }
                    else { d.output = OutputSchema(kind: .jsonSchema, text: text, subjectStrategy: strategy) }
                default:
                    reader.error("sink.schema", node, "an output schema needs format avro or json-schema")
                }
            }
        }
        return d
    }

    /// `schema: {file: path}` (relative to the pipeline file) or the schema as a JSON string.
    static func schemaText(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> String? {
        if case .mapping = node {
            guard let m = reader.mapping(node, field, known: ["file"]),
                  let f = m.require("file", "the schema file", in: &reader),
                  let path = reader.string(f, field + ".file", expected: "a file path") else { return nil }
            let full = path.hasPrefix("/") ? path : ((reader.file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path)
            guard let text = try? String(contentsOfFile: full, encoding: .utf8) else {
                reader.error(field + ".file", f, "cannot read schema file '\(full)'")
                return nil
            }
            return text
        }
        return reader.string(node, field, expected: "a schema (JSON text) or {file: path}")
    }

    /// `schemaRegistry: {url, username, password, caFile, certificateFile, keyFile, insecureSkipVerify, timeoutMs, retries}`.
    static func registry(_ node: Node, _ reader: inout YAMLReader) -> SchemaRegistryConfig? {
        let keys = ["url", "username", "password", "caFile", "certificateFile", "keyFile", "insecureSkipVerify", "timeoutMs", "retries"]
        guard let m = reader.mapping(node, "schemaRegistry", known: keys),
              let u = m.require("url", "the registry's base URL", in: &reader),
              let url = reader.string(u, "schemaRegistry.url", expected: "a URL") else { return nil }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            reader.error("schemaRegistry.url", u, "expected an http:// or https:// URL, found '\(url)'")
            return nil
        }
        func text(_ k: String) -> String? { m[k].flatMap { reader.string($0, "schemaRegistry.\(k)") } }
        var c = SchemaRegistryConfig(url: url, username: text("username"), password: text("password"), caFile: text("caFile"),
                                     certificateFile: text("certificateFile"), keyFile: text("keyFile"))
        if let v = m["insecureSkipVerify"], let s = reader.string(v, "schemaRegistry.insecureSkipVerify") { c.insecureSkipVerify = s == "true" }
        if let v = m["timeoutMs"], let t = reader.int(v, "schemaRegistry.timeoutMs", in: 1...600_000) { c.requestTimeoutMs = t }
        if let v = m["retries"], let r = reader.int(v, "schemaRegistry.retries", in: 0...100) { c.retries = r }
        return c
    }
}
