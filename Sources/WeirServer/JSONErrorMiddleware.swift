import Hummingbird
import WeirFormats

/// Every error answer is `{"errors":["…"]}` (Flink's shape), also the router's
/// own 404 and 405: added first, so it wraps everything else. An error that is
/// not an HTTP error is a bug of ours: 500, with no detail leaked.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            var response = Self.response(error.status, error.body ?? Self.defaultMessage(error.status, request))
            for field in error.headers where field.name != .contentType { response.headers.append(field) }
            return response
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return Self.response(.internalServerError, "internal error")
        }
    }

    static func defaultMessage(_ status: HTTPResponse.Status, _ request: Request) -> String {
        switch status {
        case .notFound: return "Not found: \(request.uri.path)"
        case .methodNotAllowed: return "Method \(request.method) not allowed on \(request.uri.path)"
        default: return status.reasonPhrase
        }
    }

    static func response(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var body = #"{"errors":["#
        JSONValue.quote(message, into: &body)
        body += "]}"
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
