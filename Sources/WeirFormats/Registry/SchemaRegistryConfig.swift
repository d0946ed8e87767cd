/// How to reach a schema registry (Confluent's REST API).
public struct SchemaRegistryConfig: Sendable, Equatable {
    /// Base URL, e.g. `http://localhost:8081` (`https://` for TLS).
    public var url: String
    /// HTTP basic auth (Confluent's `basic.auth.user.info`).
    public var username: String?
    public var password: String?
    /// PEM file of CA certificates to trust (default: the system's).
    public var caFile: String?
    /// Client certificate and key (PEM) for mutual TLS.
    public var certificateFile: String?
    public var keyFile: String?
    /// Skip server certificate verification (tests only).
    public var insecureSkipVerify: Bool
    public var connectTimeoutMs: Int
    /// Whole-request deadline.
    public var requestTimeoutMs: Int
    /// Further attempts after a failure that may pass (connection errors, 5xx, 429).
    public var retries: Int
    public var retryBackoffMs: Int
    /// Schemas kept by id (least recently used dropped first).
    public var cacheCapacity: Int

    public init(url: String, username: String? = nil, password: String? = nil, caFile: String? = nil,
                certificateFile: String? = nil, keyFile: String? = nil, insecureSkipVerify: Bool = false,
                connectTimeoutMs: Int = 5_000, requestTimeoutMs: Int = 10_000, retries: Int = 3,
                retryBackoffMs: Int = 200, cacheCapacity: Int = 1_000) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.username = username; self.password = password; self.caFile = caFile
        self.certificateFile = certificateFile; self.keyFile = keyFile; self.insecureSkipVerify = insecureSkipVerify
        self.connectTimeoutMs = max(1, connectTimeoutMs); self.requestTimeoutMs = max(1, requestTimeoutMs)
        self.retries = max(0, retries); self.retryBackoffMs = max(0, retryBackoffMs)
        self.cacheCapacity = max(1, cacheCapacity)
    }
}
