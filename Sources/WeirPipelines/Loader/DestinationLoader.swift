import Yams

/// `deadLetter:` and `lateData:` — `{topic: name}` for Kafka jobs or
/// `{file: path}` for file jobs (JSON lines; `-` is stdout).
enum DestinationLoader {
    static func load(_ node: Node, _ field: String, what: String, _ reader: inout YAMLReader) -> DestinationDefinition? {
        guard let m = reader.mapping(node, field, known: ["topic", "file"], expected: "a mapping with topic (or file)") else { return nil }
        switch (m.entry("topic"), m.entry("file")) {
        case (nil, nil):
            reader.error(m.path("topic"), at: m.position, "missing required key 'topic' (\(what)), or 'file' for a file job")
            return nil
        case (.some, .some(let second)):
            reader.error(m.path("file"), second.keyNode, "use either 'topic' or 'file', not both")
            return nil
        case (.some(let t), nil):
            return reader.topic(t.value, m.path("topic")).map { .topic($0) }
        case (nil, .some(let f)):
            return reader.filePath(f.value, m.path("file")).map { .file($0) }
        }
    }
}
