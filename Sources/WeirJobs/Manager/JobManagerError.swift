/// Why the job manager refused a request; the REST API answers with the status that fits.
public enum JobManagerError: Error, CustomStringConvertible, Sendable {
    /// No such job (404).
    case notFound(String)
    /// The request does not fit the job's state, or the name is taken (409).
    case conflict(String)
    /// The request itself is wrong (400).
    case invalid(String)
    /// The jobs topic could not be written or read back in time (503).
    case unavailable(String)

    public var description: String {
        switch self {
        case .notFound(let s), .conflict(let s), .invalid(let s), .unavailable(let s): s
        }
    }
}
