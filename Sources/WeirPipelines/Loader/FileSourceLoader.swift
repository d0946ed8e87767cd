import WeirEngine
import Yams

/// `source.file`: `path` or `paths` — JSON-lines files, one partition each,
/// read round-robin a line at a time; `-` is stdin. Relative paths are
/// relative to the working directory (`weir run --input` replaces them).
enum FileSourceLoader {
    static func load(_ node: Node, _ field: String, _ jobName: String?, _ reader: inout YAMLReader) -> SourceDefinition.Kind? {
        guard let m = reader.mapping(node, field, known: ["path", "paths"], expected: "a mapping with path (or paths)") else { return nil }
        switch (m.entry("path"), m.entry("paths")) {
        case (nil, nil):
            reader.error(m.path("path"), at: m.position, "missing required key 'path' (or 'paths' for several files)")
            return nil
        case (.some, .some(let second)):
            reader.error(m.path("paths"), second.keyNode, "use either 'path' or 'paths', not both")
            return nil
        case (.some(let one), nil):
            return reader.filePath(one.value, m.path("path")).map { .file(FileSourceDefinition(paths: [$0])) }
        case (nil, .some(let many)):
            let f = m.path("paths")
            guard let items = reader.sequence(many.value, f, expected: "a list of file paths") else { return nil }
            if items.isEmpty { reader.error(f, many.value, "expected at least one file, found an empty list"); return nil }
            var paths: [Located<String>] = []
            for (i, item) in items.enumerated() {
                guard let p = reader.filePath(item, "\(f)[\(i)]") else { return nil }
                if paths.contains(where: { $0.value == p.value }) {
                    reader.error("\(f)[\(i)]", item, "file '\(p.value)' is listed twice")
                    return nil
                }
                paths.append(p)
            }
            if paths.count > 1, let dash = paths.first(where: { $0.value == "-" }) {
                reader.append(dash.location.diagnostic("stdin ('-') can only be the one input"))
                return nil
            }
            return .file(FileSourceDefinition(paths: paths))
        }
    }
}

extension YAMLReader {
    mutating func filePath(_ node: Node, _ field: String) -> Located<String>? {
        guard let p = located(node, field, expected: "a file path") else { return nil }
        if p.value.isEmpty { error(field, node, "expected a file path, found an empty string"); return nil }
        if p.value.utf8.contains(0) { error(field, node, "a file path cannot contain a NUL character"); return nil }
        return p
    }
}
