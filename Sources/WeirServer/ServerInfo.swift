import WeirJobs
import WeirPipelines

/// What `GET /config` shows of this instance: its id and Kafka settings with
/// every secret masked (Flink's /config shows its own configuration).
public struct ServerInfo: Sendable {
    public var instanceID: String
    public var bootstrapServers: String
    public var kafkaProperties: [String: String]
    public var schemaRegistryURL: String?
    /// Where savepoints asked for over REST go.
    public var savepoints: SavepointPaths

    public init(instanceID: String, bootstrapServers: String, kafkaProperties: [String: String] = [:], schemaRegistryURL: String? = nil,
                savepointsDirectory: String = "savepoints") {
        self.instanceID = instanceID; self.bootstrapServers = bootstrapServers
        self.kafkaProperties = kafkaProperties; self.schemaRegistryURL = schemaRegistryURL
        savepoints = SavepointPaths(root: savepointsDirectory)
    }

    public init(service: ServiceConfig) {
        instanceID = service.instanceID
        bootstrapServers = service.kafka.bootstrapServers
        kafkaProperties = service.kafka.properties
        schemaRegistryURL = service.schemaRegistry?.url
        savepoints = SavepointPaths(root: service.savepointsDirectory)
    }

    static let mask = "******"

    /// librdkafka properties that hold secrets (passwords, keys, tokens, JAAS text).
    static func isSecret(_ key: String) -> Bool {
        let k = key.lowercased()
        return ["password", "secret", "token", "jaas", "ssl.key.pem", "ssl_key", "oauthbearer.config", "credentials"]
            .contains { k.contains($0) }
    }

    /// The properties with every secret's value replaced by `mask`.
    var maskedProperties: [String: String] {
        Dictionary(uniqueKeysWithValues: kafkaProperties.map { ($0.key, Self.isSecret($0.key) ? Self.mask : $0.value) })
    }

    /// A URL without its user information (`https://user:pass@host` → `https://host`).
    static func withoutUserInfo(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let slash = url[scheme.upperBound...].firstIndex(of: "/") ?? url.endIndex
        return at < slash ? String(url[..<scheme.upperBound]) + String(url[url.index(after: at)...]) : url
    }
}
