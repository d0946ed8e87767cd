/// A file job could not open, read or write one of its files.
public struct FileJobError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileJobError {
    /// `what path: strerror(errno)`, read right after the failing call.
    static func errno(_ what: String, _ path: String) -> FileJobError {
        FileJobError("\(what) \(path): \(String(cString: strerror(Glibc.errno)))")
    }
}
