import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The CLI verbs' way to a running `weir serve` (`--url`, else `WEIR_URL`, else
/// http://localhost:8081, Flink's port). Answers are JSON; an error answer's
/// `errors` become the message.
struct RESTClient {
    let base: String
    /// Sent as `Authorization: Bearer` when set (`--token`, else `WEIR_REST_TOKEN`).
    let token: String?

    init(url: String?, token: String? = nil) {
        let env = ProcessInfo.processInfo.environment
        var u = url ?? env["WEIR_URL"] ?? "http://localhost:8081"
        while u.hasSuffix("/") { u.removeLast() }
        base = u
        self.token = (token ?? env["WEIR_REST_TOKEN"]).flatMap { $0.isEmpty ? nil : $0 }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `(status, JSON)`; throws when the service cannot be reached or the answer is not JSON.
    func call(_ method: HTTPMethod, _ path: String, body: Data? = nil, contentType: String = "application/json") async throws -> (status: Int, json: Any) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        // One attempt to connect: a service that is not there should be said at once, not
        // after retries until the deadline (async-http-client's default).
        var config = HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(30)))
        config.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        let body: ByteBuffer, response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(30))
            body = try await response.body.collect(upTo: 16 << 20)
            try? await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw Failure(description: "cannot reach weir serve at \(base): \(error) (set --url or WEIR_URL)")
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(buffer: body), options: [.fragmentsAllowed]) else {
            throw Failure(description: "\(base)\(path) answered \(response.status.code) with a body that is not JSON")
        }
        return (Int(response.status.code), json)
    }

    /// The JSON of a 2xx answer; otherwise a failure with the server's `errors`.
    func expectOK(_ method: HTTPMethod, _ path: String, body: Data? = nil, contentType: String = "application/json") async throws -> Any {
        let (status, json) = try await call(method, path, body: body, contentType: contentType)
        guard (200..<300).contains(status) else {
            let errors = ((json as? [String: Any])?["errors"] as? [String])?.joined(separator: "; ") ?? "HTTP \(status)"
            throw Failure(description: errors)
        }
        return json
    }
}
