import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL
import ServiceLifecycle
import Synchronization
import WeirJobs

/// Weir's REST API as a swift-service-lifecycle `Service` (Hummingbird, HTTP/1.1).
/// List it before the job manager in the service group: groups shut down in
/// reverse order, so the API answers while the jobs drain.
public final class RESTServer: Service, Sendable {
    private let manager: JobManager
    private let info: ServerInfo
    private let auth: RESTAuth?
    private let host: String
    private let port: Int
    private let logger: Logger
    private let bound = Mutex<Int?>(nil)
    private let onListening: @Sendable (Int) -> Void
    private let tls: TLSConfiguration?
    /// The last 15 minutes of every job, for the web UI's charts.
    public let history: JobHistory

    /// `port` 0 picks a free port; `onListening` gets the one bound.
    /// `tls`: PEM certificate (chain) and key files: serve HTTPS.
    /// Weir's version as the API reports it.
    public static var version: String { RESTRoutes.version }

    public init(manager: JobManager, info: ServerInfo, auth: RESTAuth? = nil, host: String = "0.0.0.0", port: Int = 8081,
                fallBackToAnyPort: Bool = false, tls: (certificateFile: String, keyFile: String)? = nil, logger: Logger,
                onListening: @escaping @Sendable (Int) -> Void = { _ in }) throws {
        _ = RESTRoutes.processStartMs   // the uptime counts from here, not from the first request
        if let tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificateFile).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.keyFile, format: .pem)
            self.tls = .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        } else {
            self.tls = nil
        }
        self.fallBackToAnyPort = fallBackToAnyPort
        history = JobHistory(manager: manager)
        self.auth = auth
        self.manager = manager; self.info = info; self.host = host; self.port = port; self.logger = logger; self.onListening = onListening
    }

    public var scheme: String { tls == nil ? "http" : "https" }

    /// The port it listens on, once it does.
    public var boundPort: Int? { bound.withLock { $0 } }

    /// When `port` is taken, listen on any free port instead (for `weir dev`, which prints where).
    private let fallBackToAnyPort: Bool

    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.history.run() }
            do {
                try await serve(port: port)
            } catch where fallBackToAnyPort && boundPort == nil && port != 0 {
                logger.notice("port \(port) is taken; serving on a free port instead")
                try await serve(port: 0)
            }
            group.cancelAll()
        }
    }

    private func serve(port: Int) async throws {
        var server = HTTPServerBuilder.http1()
        if let tls { server = try .tls(.http1(), tlsConfiguration: tls) }
        let app = Application(
            router: RESTRoutes.router(manager, info: info, auth: auth, history: history),
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "weir"),
            onServerRunning: { [self] channel in
                let p = channel.localAddress?.port ?? port
                bound.withLock { $0 = p }
                onListening(p)
            },
            logger: logger)
        try await app.run()
    }
}

/// The REST API's token (`WEIR_REST_TOKEN`): mutations need it, reads too with `protectReads`.
public struct RESTAuth: Sendable {
    public var token: String
    public var protectReads: Bool
    /// nil for an empty token (no auth).
    public init?(token: String?, protectReads: Bool) {
        guard let token, !token.isEmpty else { return nil }
        self.token = token; self.protectReads = protectReads
    }
}
