import Hummingbird

/// With a REST token set, every mutation (any method but GET and HEAD) needs
/// `Authorization: Bearer <token>`, and with `protectReads` every read too,
/// except the health probes Kubernetes calls without credentials and the web
/// UI's own files (public code, no data: the page asks for the token and sends
/// it with every API call): 401 otherwise.
/// The comparison takes the same time wherever the tokens differ.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]
    let protectReads: Bool

    static var unprotected: Set<String> { Set(["/healthz", "/readyz", "/"] + UIRoutes.assets.keys.map { "/" + $0 }) }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let isRead = request.method == .get || request.method == .head
        if (!isRead || protectReads) && !Self.unprotected.contains(request.uri.path) {
            guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
                  Self.equal(Array(header.utf8.dropFirst(7)), token) else {
                throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "a bearer token is required (Authorization: Bearer …)")
            }
        }
        return try await next(request, context)
    }

    /// Constant-time over the longer input: no early exit on the first difference.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return diff == 0 && a.count == b.count
    }
}
