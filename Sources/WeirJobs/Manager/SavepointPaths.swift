import Foundation

/// Where savepoints asked for over REST may go: under one root directory
/// (`savepoints.directory`; on several instances, a volume they share at the
/// same path). A target given as a relative path is taken under the root; an
/// absolute one must lie inside it; `..` is refused either way, so a request
/// cannot write or read outside the root.
public struct SavepointPaths: Sendable {
    public let root: String

    public init(root: String) {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
    }

    public struct Refused: Error, CustomStringConvertible { public var description: String }

    /// The directory a target names (nil: the root itself).
    public func resolve(_ target: String?) throws(Refused) -> String {
        guard let target, !target.isEmpty else { return root }
        guard target.utf8.count <= 1024, !target.contains("\0") else { throw Refused(description: "the directory name is not usable") }
        let parts = target.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.contains("..") else { throw Refused(description: "\(target): '..' is not allowed in a savepoint directory") }
        if target.hasPrefix("/") {
            let path = URL(fileURLWithPath: target).standardizedFileURL.path
            guard path == root || path.hasPrefix(root + "/") else {
                throw Refused(description: "\(target) is outside the savepoints directory \(root) (savepoints.directory)")
            }
            return path
        }
        return URL(fileURLWithPath: root).appendingPathComponent(parts.joined(separator: "/")).standardizedFileURL.path
    }

    /// A new savepoint's own directory inside a target: `savepoint-<job id prefix>-<request id prefix>`, as Flink names them.
    public static func location(in directory: String, jobID: String, requestID: String) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent("savepoint-\(jobID.prefix(6))-\(requestID.prefix(12))").path
    }
}
