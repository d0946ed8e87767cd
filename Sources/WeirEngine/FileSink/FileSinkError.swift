/// Why the files sink could not take a row or write a file.
public struct FileSinkError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The row does not fit (a value of the wrong type, a partition value too long): the record's fault.
        case record
        /// The file system refused (or the protocol was misused): the task's fault; it fails and restores.
        case io
    }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
    public var description: String { message }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileSinkError {
    /// `what path: strerror(errno)`, read right after the failing call.
    static func errno(_ what: String, _ path: String) -> FileSinkError {
        FileSinkError(.io, "\(what) \(path): \(String(cString: strerror(Glibc.errno)))")
    }
}
