import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL
import Logging
import ServiceLifecycle
import NIOCore
import Synchronization
import WeirFormats

/// A Confluent-compatible schema registry server (the endpoints Weir and
/// Confluent's clients use), on Hummingbird, for `weir dev`, `weir broker` and
/// tests. See docs/schema-registry.md.
public final class EmbeddedSchemaRegistry: Service, Sendable {
    public let store: SchemaStore
    private let host: String
    private let port: Int
    private let credentials: (username: String, password: String)?
    private let tls: TLSConfiguration?
    private let boundPort = Mutex<Int?>(nil)
    private let waiters = Mutex<[CheckedContinuation<Int, Never>]>([])
    private let runner = Mutex<(group: ServiceGroup, task: Task<Void, Error>)?>(nil)

    /// - Parameters:
    ///   - directory: where schemas are persisted (nil: memory only).
    ///   - port: 0 picks a free port (see `url` once started).
    ///   - credentials: when set, every request must carry them (HTTP basic auth).
    ///   - tls: PEM certificate (chain) and key: serve HTTPS.
    public init(directory: String?, host: String = "127.0.0.1", port: Int = 0,
                credentials: (username: String, password: String)? = nil,
                tls: (certificateFile: String, keyFile: String)? = nil) throws {
        store = try SchemaStore(directory: directory)
        self.host = host
        self.port = port
        self.credentials = credentials
        if let tls {
            // Loaded here so bad files fail at once, not inside the server task.
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificateFile).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.keyFile, format: .pem)
            self.tls = .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        } else {
            self.tls = nil
        }
    }

    private var scheme: String { tls == nil ? "http" : "https" }

    /// Warnings and errors only: the embedded server runs beside the broker and
    /// the CLI prints its URL itself.
    static var quietLogger: Logger {
        var l = Logger(label: "weir.schema-registry")
        l.logLevel = .warning
        return l
    }

    /// The base URL, once the server listens.
    public var url: String? { boundPort.withLock { $0 }.map { "\(scheme)://\(host):\($0)" } }

    /// Runs the server until graceful shutdown (a `Service`).
    public func run() async throws {
        var server = HTTPServerBuilder.http1()
        if let tls { server = try .tls(.http1(), tlsConfiguration: tls) }
        let app = Application(
            router: SchemaRegistryRoutes.router(store, credentials: credentials),
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "weir-schema-registry"),
            onServerRunning: { [self] channel in
                let p = channel.localAddress?.port ?? port
                boundPort.withLock { $0 = p }
                for w in waiters.withLock({ w in defer { w = [] }; return w }) { w.resume(returning: p) }
            },
            logger: Self.quietLogger)
        try await app.run()
    }

    /// Starts the server in the background; returns its URL once it listens.
    @discardableResult
    public func start() async throws -> String {
        runner.withLock { r in
            guard r == nil else { return }
            let group = ServiceGroup(configuration: .init(services: [self], logger: Self.quietLogger))
            r = (group, Task {
                do { try await group.run() } catch {
                    // Could not serve (port taken, ...): wake start() instead of leaving it waiting.
                    for w in waiters.withLock({ w in defer { w = [] }; return w }) { w.resume(returning: -1) }
                    throw error
                }
            })
        }
        let p: Int
        if let known = boundPort.withLock({ $0 }) {
            p = known
        } else {
            p = await withCheckedContinuation { c in
                let now: Int? = waiters.withLock { w in
                    if let known = boundPort.withLock({ $0 }) { return known }
                    w.append(c)
                    return nil
                }
                if let now { c.resume(returning: now) }
            }
        }
        guard p >= 0 else { throw RegistryError.storage("the schema registry could not listen on \(host):\(port)") }
        return "\(scheme)://\(host):\(p)"
    }

    /// Stops a server started with `start()`.
    public func stop() async {
        guard let r = runner.withLock({ r in defer { r = nil }; return r }) else { return }
        await r.group.triggerGracefulShutdown()
        _ = try? await r.task.value
        boundPort.withLock { $0 = nil }
    }
}
