import Synchronization
import WeirFormats

/// One registry client per configuration in the process, shared by every
/// task, so schemas fetched by one task are cached for all.
public enum SchemaRegistryClients {
    private static let clients = Mutex<[String: SchemaRegistryClient]>([:])

    public static func shared(_ config: SchemaRegistryConfig) throws(SchemaRegistryError) -> SchemaRegistryClient {
        let key = "\(config.url)|\(config.username ?? "")|\(config.caFile ?? "")|\(config.insecureSkipVerify)"
        let result: Result<SchemaRegistryClient, SchemaRegistryError> = clients.withLock { c in
            if let existing = c[key] { return .success(existing) }
            do {
                let client = try SchemaRegistryClient(config: config)
                c[key] = client
                return .success(client)
            } catch {
                return .failure(error as? SchemaRegistryError ?? SchemaRegistryError(.badRequest, context: config.url, "\(error)"))
            }
        }
        return try result.get()
    }
}
