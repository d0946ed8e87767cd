import Foundation
import Hummingbird

/// Refuses requests without the configured basic-auth credentials (401, as
/// Confluent's registry does when authentication is on).
struct BasicAuthMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let expected: String

    init(username: String, password: String) {
        expected = "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers[.authorization] == expected else {
            return SchemaRegistryRoutes.json(.object(["error_code": .int(401), "message": .string("Unauthorized")]), status: .unauthorized)
        }
        return try await next(request, context)
    }
}
