/// A job's pipeline text as the REST API and the UI show it: every value of a
/// key that names a secret (password, secret, token, credentials, jaas) is
/// replaced by `******`, in block and in flow mappings, so what a pipeline
/// holds for its schema registry or Kafka never leaves the process.
enum PipelineText {
    static let mask = "******"

    static func masked(_ yaml: String) -> String {
        yaml.split(separator: "\n", omittingEmptySubsequences: false).map { maskLine(String($0)) }.joined(separator: "\n")
    }

    static func isSecretKey(_ key: Substring) -> Bool {
        let k = key.lowercased()
        return ["password", "secret", "token", "credentials", "jaas", "ssl.key", "sasl.oauthbearer"].contains { k.contains($0) }
    }

    /// Masks `key: value` pairs on one line, whether the line is `key: value`
    /// or holds a flow mapping `{a: 1, password: x}`.
    static func maskLine(_ line: String) -> String {
        var out = ""
        var rest = Substring(line)
        while let colon = rest.firstIndex(of: ":") {
            // The key: from the last separator before the colon.
            let head = rest[..<colon]
            let keyStart = head.lastIndex(where: { " \t{,-\"'".contains($0) }).map { head.index(after: $0) } ?? head.startIndex
            let key = head[keyStart...]
            out += rest[...colon]
            rest = rest[rest.index(after: colon)...]
            guard isSecretKey(key), let first = rest.firstIndex(where: { $0 != " " && $0 != "\t" }) else { continue }
            // The value runs to the end of the line, or in a flow mapping to the next ',' or '}'.
            let inFlow = line.contains("{")
            let end = inFlow ? (rest[first...].firstIndex(where: { $0 == "," || $0 == "}" }) ?? rest.endIndex) : rest.endIndex
            out += rest[..<first] + mask
            rest = rest[end...]
        }
        return out + rest
    }
}
