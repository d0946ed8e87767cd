import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// A client of Confluent's schema registry REST API, on async-http-client.
///
/// Every call has an async form (control plane) and a blocking form (for a
/// task's own thread, where a record met an id not yet cached; it waits on the
/// request's future, which runs on NIO's event loops, so it must not be called
/// on an event loop). Requests carry basic auth when configured, have
/// connect/request timeouts, and are retried with backoff when the failure may
/// pass. Schemas by id never change, so they are cached (bounded, LRU); ids the
/// registry does not have are remembered for a short while so a burst of
/// records with a bad id costs one request.
public final class SchemaRegistryClient: AvroSchemaSource, @unchecked Sendable {   // state behind Mutex
    public let config: SchemaRegistryConfig
    private let http: HTTPClient
    private let authorization: String?
    private let cache: Mutex<SchemaCache>
    private let shutDown = Atomic<Bool>(false)
    /// How long an unknown id is remembered as unknown.
    static let negativeTTLNanos: UInt64 = 5_000_000_000

    public init(config: SchemaRegistryConfig) throws(SchemaRegistryError) {
        self.config = config
        var tls: TLSConfiguration?
        if config.url.lowercased().hasPrefix("https://") {
            var t = TLSConfiguration.makeClientConfiguration()
            do {
                if let ca = config.caFile { t.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca)) }
                if let cert = config.certificateFile, let key = config.keyFile {
                    t.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
                    t.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
                }
            } catch {
                throw SchemaRegistryError(.badRequest, context: config.url, "TLS files: \(error)")
            }
            if config.insecureSkipVerify { t.certificateVerification = .none }
            tls = t
        }
        let timeout = HTTPClient.Configuration.Timeout(connect: .milliseconds(Int64(config.connectTimeoutMs)),
                                                       read: .milliseconds(Int64(config.requestTimeoutMs)))
        http = HTTPClient(eventLoopGroupProvider: .singleton,
                          configuration: HTTPClient.Configuration(tlsConfiguration: tls, timeout: timeout))
        if let u = config.username {
            authorization = "Basic " + Data("\(u):\(config.password ?? "")".utf8).base64EncodedString()
        } else {
            authorization = nil
        }
        cache = Mutex(SchemaCache(capacity: config.cacheCapacity))
    }

    deinit {
        if !shutDown.load(ordering: .acquiring) { http.shutdown { _ in } }   // non-blocking: deinit may run anywhere
    }

    /// Closes connections. The client cannot be used afterwards.
    public func shutdown() async throws {
        guard !shutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try await http.shutdown()
    }

    // MARK: the API

    /// `GET /schemas/ids/{id}`.
    public func schema(id: Int) async throws(SchemaRegistryError) -> RegisteredSchema {
        if let s = cache.withLock({ $0.get(id) }) { return s }
        let r: SchemaByID = try await decode(try await perform(.GET, "/schemas/ids/\(id)", nil, "schema id \(id)"), "schema id \(id)")
        let s = RegisteredSchema(id: id, schema: r.schema, schemaType: r.schemaType)
        cache.withLock { $0.put(s) }
        return s
    }

    /// `POST /subjects/{subject}/versions`: registers (or finds) the schema; returns its id.
    public func register(subject: String, schema: String, schemaType: String? = nil) async throws(SchemaRegistryError) -> Int {
        let body = SchemaBody(schema: schema, schemaType: schemaType)
        let r: IDBody = try await decode(try await perform(.POST, "/subjects/\(Self.escape(subject))/versions", body.json, "subject '\(subject)'"), "subject '\(subject)'")
        return r.id
    }

    /// `POST /subjects/{subject}`: the version of this schema under the subject.
    public func lookup(subject: String, schema: String, schemaType: String? = nil) async throws(SchemaRegistryError) -> RegisteredSchema {
        let body = SchemaBody(schema: schema, schemaType: schemaType)
        return try await decode(try await perform(.POST, "/subjects/\(Self.escape(subject))", body.json, "subject '\(subject)'"), "subject '\(subject)'")
    }

    /// `GET /subjects/{subject}/versions/latest`.
    public func latest(subject: String) async throws(SchemaRegistryError) -> RegisteredSchema {
        try await decode(try await perform(.GET, "/subjects/\(Self.escape(subject))/versions/latest", nil, "subject '\(subject)'"), "subject '\(subject)'")
    }

    /// `POST /compatibility/subjects/{subject}/versions/latest`.
    public func isCompatible(subject: String, schema: String, schemaType: String? = nil) async throws(SchemaRegistryError) -> Bool {
        let body = SchemaBody(schema: schema, schemaType: schemaType)
        let r: CompatibilityBody = try await decode(try await perform(.POST, "/compatibility/subjects/\(Self.escape(subject))/versions/latest",
                                                                      body.json, "subject '\(subject)'"), "subject '\(subject)'")
        return r.is_compatible
    }

    /// `GET /subjects`.
    public func subjects() async throws(SchemaRegistryError) -> [String] {
        try await decode(try await perform(.GET, "/subjects", nil, "subjects"), "subjects")
    }

    /// `GET /subjects/{subject}/versions`.
    public func versions(subject: String) async throws(SchemaRegistryError) -> [Int] {
        try await decode(try await perform(.GET, "/subjects/\(Self.escape(subject))/versions", nil, "subject '\(subject)'"), "subject '\(subject)'")
    }

    /// `PUT /config/{subject}` (nil subject: the global level).
    public func setCompatibility(_ level: String, subject: String? = nil) async throws(SchemaRegistryError) {
        let path = subject.map { "/config/\(Self.escape($0))" } ?? "/config"
        _ = try await perform(.PUT, path, Array("{\"compatibility\":\"\(level)\"}".utf8), subject.map { "subject '\($0)'" } ?? "config")
    }

    // MARK: blocking forms, for task threads

    /// Registers (or finds) a schema, blocking the calling thread (a task's
    /// start-up on its own thread).
    public func registerBlocking(subject: String, schema: String, schemaType: String? = nil) throws(SchemaRegistryError) -> Int {
        let body = SchemaBody(schema: schema, schemaType: schemaType)
        let r: IDBody = try decode(try performBlocking(.POST, "/subjects/\(Self.escape(subject))/versions", body.json, "subject '\(subject)'"), "subject '\(subject)'")
        return r.id
    }

    /// `GET /subjects/{subject}/versions/latest`, blocking (a job's start-up).
    public func latestBlocking(subject: String) throws(SchemaRegistryError) -> RegisteredSchema {
        try decode(try performBlocking(.GET, "/subjects/\(Self.escape(subject))/versions/latest", nil, "subject '\(subject)'"), "subject '\(subject)'")
    }

    public func schemaBlocking(id: Int) throws(SchemaRegistryError) -> RegisteredSchema {
        if let s = cache.withLock({ $0.get(id) }) { return s }
        if cache.withLock({ $0.isKnownMissing(id, now: DispatchTime.now().uptimeNanoseconds) }) {
            throw SchemaRegistryError(.notFound, status: 404, errorCode: 40403, context: "schema id \(id)", "Schema not found (cached)")
        }
        do {
            let r: SchemaByID = try decode(try performBlocking(.GET, "/schemas/ids/\(id)", nil, "schema id \(id)"), "schema id \(id)")
            let s = RegisteredSchema(id: id, schema: r.schema, schemaType: r.schemaType)
            cache.withLock { $0.put(s) }
            return s
        } catch {
            if error.kind == .notFound {
                cache.withLock { $0.markMissing(id, until: DispatchTime.now().uptimeNanoseconds + Self.negativeTTLNanos) }
            }
            throw error
        }
    }

    /// `AvroSchemaSource`: the writer schema of a record, fetched once per id.
    public func schema(id: UInt32) throws(DecodeError) -> AvroSchema {
        if let parsed = cache.withLock({ $0.parsed(Int(id)) }) { return parsed }
        let registered: RegisteredSchema
        do {
            registered = try schemaBlocking(id: Int(id))
        } catch {
            switch error.kind {
            case .notFound: throw DecodeError(.unknownSchema, offset: 1, "schema id \(id) is not in the registry at \(config.url)")
            default: throw DecodeError(.registryUnavailable, offset: 1, error.description)
            }
        }
        if let type = registered.schemaType, type.uppercased() != "AVRO" {
            throw DecodeError(.unknownSchema, offset: 1, "schema id \(id) is a \(type) schema, not Avro")
        }
        do {
            let parsed = try AvroSchema(parsing: registered.schema)
            cache.withLock { $0.putParsed(Int(id), parsed) }
            return parsed
        } catch {
            throw DecodeError(.unknownSchema, offset: 1, "schema id \(id) from the registry is not valid Avro: \(error.message)")
        }
    }

    // MARK: transport

    private func request(_ method: HTTPMethod, _ path: String, _ body: [UInt8]?) throws -> HTTPClient.Request {
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: "application/vnd.schemaregistry.v1+json, application/json")
        if body != nil { headers.add(name: "Content-Type", value: "application/vnd.schemaregistry.v1+json") }
        if let authorization { headers.add(name: "Authorization", value: authorization) }
        return try HTTPClient.Request(url: config.url + path, method: method, headers: headers, body: body.map { .bytes($0) })
    }

    private func perform(_ method: HTTPMethod, _ path: String, _ body: [UInt8]?, _ context: String) async throws(SchemaRegistryError) -> [UInt8] {
        var attempt = 0
        while true {
            let outcome: Result<[UInt8], SchemaRegistryError>
            do {
                let response = try await http.execute(request: try request(method, path, body), deadline: deadline()).get()
                outcome = Self.classify(response, context)
            } catch {
                outcome = .failure(Self.transportError(error, context))
            }
            switch outcome {
            case .success(let b): return b
            case .failure(let e):
                guard Self.retriable(e), attempt < config.retries else { throw e }
                attempt += 1
                try? await Task.sleep(nanoseconds: backoff(attempt))
            }
        }
    }

    private func performBlocking(_ method: HTTPMethod, _ path: String, _ body: [UInt8]?, _ context: String) throws(SchemaRegistryError) -> [UInt8] {
        var attempt = 0
        while true {
            let outcome: Result<[UInt8], SchemaRegistryError>
            do {
                let response = try http.execute(request: try request(method, path, body), deadline: deadline()).wait()
                outcome = Self.classify(response, context)
            } catch {
                outcome = .failure(Self.transportError(error, context))
            }
            switch outcome {
            case .success(let b): return b
            case .failure(let e):
                guard Self.retriable(e), attempt < config.retries else { throw e }
                attempt += 1
                usleep(UInt32(min(backoff(attempt) / 1000, UInt64(UInt32.max))))
            }
        }
    }

    private func deadline() -> NIODeadline { .now() + .milliseconds(Int64(config.requestTimeoutMs)) }

    private func backoff(_ attempt: Int) -> UInt64 {
        UInt64(config.retryBackoffMs) * 1_000_000 << UInt64(min(attempt - 1, 6))
    }

    static func retriable(_ e: SchemaRegistryError) -> Bool {
        e.kind == .unavailable
    }

    static func transportError(_ error: Error, _ context: String) -> SchemaRegistryError {
        if let e = error as? SchemaRegistryError { return e }
        return SchemaRegistryError(.unavailable, context: context, "request failed: \(error)")
    }

    /// Status and Confluent's `{"error_code":…, "message":…}` into a result.
    static func classify(_ response: HTTPClient.Response, _ context: String) -> Result<[UInt8], SchemaRegistryError> {
        let bytes = response.body.map { Array($0.readableBytesView) } ?? []
        let status = Int(response.status.code)
        if (200..<300).contains(status) { return .success(bytes) }
        let body = try? JSONDecoder().decode(ErrorBody.self, from: Data(bytes))
        let message = body?.message ?? String(decoding: bytes.prefix(500), as: UTF8.self)
        let kind: SchemaRegistryError.Kind
        switch status {
        case 404: kind = .notFound
        case 409: kind = .incompatible
        case 422: kind = .invalidSchema
        case 401, 403: kind = .unauthorized
        case 429, 500...: kind = .unavailable
        default: kind = .badRequest
        }
        return .failure(SchemaRegistryError(kind, status: status, errorCode: body?.error_code, context: context, message))
    }

    private func decode<T: Decodable>(_ bytes: [UInt8], _ context: String) throws(SchemaRegistryError) -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) }
        catch { throw SchemaRegistryError(.badResponse, context: context, "unexpected response: \(String(decoding: bytes.prefix(200), as: UTF8.self))") }
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
    }

    struct SchemaBody: Encodable {
        var schema: String
        var schemaType: String?
        var json: [UInt8] { (try? JSONEncoder().encode(self)).map { Array($0) } ?? [] }
    }
    struct IDBody: Decodable { var id: Int }
    struct SchemaByID: Decodable { var schema: String; var schemaType: String? }
    struct CompatibilityBody: Decodable { var is_compatible: Bool }
    struct ErrorBody: Decodable { var error_code: Int?; var message: String? }
}
