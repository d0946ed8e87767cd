import Hummingbird

/// The router answers a known path with an unknown method as 404; Flink (and
/// HTTP) say 405. Every path gets the other methods routed to a 405, which the
/// JSON error middleware turns into `{"errors":[…]}`.
enum MethodNotAllowed {
    static let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete]

    /// `paths`: each path with the methods it answers.
    static func register(on router: Router<BasicRequestContext>, _ paths: [String: [HTTPRequest.Method]]) {
        for (path, allowed) in paths.sorted(by: { $0.key < $1.key }) { add(router, path, except: allowed) }
    }

    private static func add(_ router: Router<BasicRequestContext>, _ path: String, except allowed: [HTTPRequest.Method]) {
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        for method in methods where !allowed.contains(method) {
            router.on(RouterPath(path), method: method) { request, _ -> Response in
                throw HTTPError(.methodNotAllowed, headers: [.allow: allow],
                                message: "Method \(request.method) not allowed on \(request.uri.path) (allowed: \(allow))")
            }
        }
    }
}
