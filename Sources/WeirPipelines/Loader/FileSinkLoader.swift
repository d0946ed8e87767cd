import WeirEngine
import Yams

/// The sinks of file jobs: `file: {path: out.jsonl}` (JSON lines; `-` is
/// stdout), `stdout`, and `discard` (count and drop, for benchmarks). The last
/// two take no settings and may be written as the whole sink (`sink: stdout`).
enum FileSinkLoader {
    static func file(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> SinkDefinition.Kind? {
        guard let m = reader.mapping(node, field, known: ["path"], expected: "a mapping with path") else { return nil }
        guard let p = m.require("path", "the file to write", in: &reader) else { return nil }
        return reader.filePath(p, m.path("path")).map { .file($0) }
    }

    static func stdout(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> SinkDefinition.Kind? {
        noSettings(node, field, &reader) ? .stdout : nil
    }

    static func discard(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> SinkDefinition.Kind? {
        noSettings(node, field, &reader) ? .discard : nil
    }

    /// `stdout:` / `stdout: {}` / `stdout: true`.
    private static func noSettings(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> Bool {
        switch node {
        case .scalar(let s) where YAMLReader.isNull(s) || s.string == "true": return true
        case .mapping(let m) where m.count == 0: return true
        default:
            reader.error(field, node, "this sink takes no settings; write it as '{}' or leave the value empty")
            return false
        }
    }
}
