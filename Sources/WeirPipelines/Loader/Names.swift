/// Rules for the names a pipeline file gives to jobs, topics and fields.
enum Names {
    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }

    /// Job names end up in topic names (`<job>-state`) and transactional ids,
    /// so they use Kafka's topic alphabet and leave room for suffixes.
    static func jobNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "expected a name of letters, digits, '.', '_' or '-', found an empty string" }
        if let bad = name.utf8.first(where: { !isNameByte($0) }) {
            return "expected a name of letters, digits, '.', '_' or '-', found '\(name)' (character '\(String(decoding: [bad], as: UTF8.self))' is not allowed)"
        }
        if name.utf8.count > 200 { return "name is too long (\(name.utf8.count) characters, at most 200)" }
        return nil
    }

    /// Kafka's own rule for topic names.
    static func topicProblem(_ topic: String) -> String? {
        if topic.isEmpty { return "expected a topic name, found an empty string" }
        if topic == "." || topic == ".." { return "'\(topic)' is not a valid topic name" }
        if topic.utf8.contains(where: { !isNameByte($0) }) {
            return "expected a topic name of letters, digits, '.', '_' or '-', found '\(topic)'"
        }
        if topic.utf8.count > 249 { return "topic name is too long (\(topic.utf8.count) characters, at most 249)" }
        return nil
    }

    /// Top-level field names that steps create, rename or drop.
    static func fieldProblem(_ name: String) -> String? {
        if name.isEmpty { return "expected a field name, found an empty string" }
        if name.contains(".") { return "nested fields are not supported yet here: use a top-level name, found '\(name)'" }
        return nil
    }
}
