import Foundation

/// One record of the jobs topic. The key says what it is about, so compaction
/// keeps the latest of each: `job/<name>` (a `JobDefinition`),
/// `savepoint/<request id>` (a `SavepointRequest`) or `instance/<id>` (an
/// `InstanceHeartbeat`). A null value deletes.
public enum JobsTopicRecord: Sendable, Equatable {
    case job(JobDefinition)
    case savepoint(SavepointRequest)
    case instance(InstanceHeartbeat)
    case deleted(key: String)

    public var key: String {
        switch self {
        case .job(let d): "job/\(d.name)"
        case .savepoint(let s): "savepoint/\(s.requestID)"
        case .instance(let h): "instance/\(h.instance)"
        case .deleted(let key): key
        }
    }

    /// The value's bytes (nil: a tombstone).
    public func value() throws -> [UInt8]? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        switch self {
        case .job(let d): return [UInt8](try encoder.encode(d))
        case .savepoint(let s): return [UInt8](try encoder.encode(s))
        case .instance(let h): return [UInt8](try encoder.encode(h))
        case .deleted: return nil
        }
    }

    public struct Undecodable: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads a record back; a key of another kind or a value that does not
    /// decode is refused (the reader logs it and goes on).
    public static func decode(key: String, value: [UInt8]?) throws -> JobsTopicRecord {
        guard let value else { return .deleted(key: key) }
        let data = Data(value)
        do {
            if key.hasPrefix("job/") { return .job(try JSONDecoder().decode(JobDefinition.self, from: data)) }
            if key.hasPrefix("savepoint/") { return .savepoint(try JSONDecoder().decode(SavepointRequest.self, from: data)) }
            if key.hasPrefix("instance/") { return .instance(try JSONDecoder().decode(InstanceHeartbeat.self, from: data)) }
        } catch {
            throw Undecodable(description: "jobs topic record \(key): \(error)")
        }
        throw Undecodable(description: "jobs topic record with an unknown key \(key)")
    }
}
