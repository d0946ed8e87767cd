/// A schema registry request that failed, naming the subject or id at fault.
public struct SchemaRegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case notFound          // 404: subject, version or schema id unknown
        case incompatible      // 409: the schema breaks the subject's compatibility rule
        case invalidSchema     // 422: not a valid schema
        case unauthorized      // 401/403
        case unavailable       // no connection, timeout, 5xx, after the retries
        case badResponse       // the server answered something that is not the API
        case badRequest        // other 4xx
    }
    public var kind: Kind
    /// HTTP status (0 without a response).
    public var status: Int
    /// Confluent's `error_code` (40403 schema not found, 409 incompatible, 42201 invalid schema, ...).
    public var errorCode: Int?
    public var message: String
    /// What the request was about: `subject 'orders-value'`, `schema id 7`.
    public var context: String

    public init(_ kind: Kind, status: Int = 0, errorCode: Int? = nil, context: String, _ message: String) {
        self.kind = kind; self.status = status; self.errorCode = errorCode; self.context = context; self.message = message
    }

    public var description: String {
        var s = "schema registry: \(context): \(message)"
        if status > 0 { s += " (HTTP \(status)\(errorCode.map { ", error_code \($0)" } ?? ""))" }
        return s
    }
}
