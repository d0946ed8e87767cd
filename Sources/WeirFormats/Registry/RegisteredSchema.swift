/// A schema as the registry returns it.
public struct RegisteredSchema: Sendable, Equatable, Codable {
    public var subject: String?
    public var version: Int?
    public var id: Int
    public var schema: String
    /// AVRO (Confluent leaves it out for Avro), JSON or PROTOBUF.
    public var schemaType: String?

    public init(subject: String? = nil, version: Int? = nil, id: Int, schema: String, schemaType: String? = nil) {
        self.subject = subject; self.version = version; self.id = id; self.schema = schema; self.schemaType = schemaType
    }
}

/// How an output record's subject is named (Confluent's subject name strategies).
public enum SubjectNameStrategy: String, Sendable, CaseIterable {
    /// `<topic>-value` (Confluent's default, TopicNameStrategy).
    case topic
    /// The record's full name (RecordNameStrategy).
    case record
    /// `<topic>-<record full name>` (TopicRecordNameStrategy).
    case topicRecord = "topic-record"

    public func subject(topic: String, recordName: String?) -> String {
        switch self {
        case .topic: return "\(topic)-value"
        case .record: return recordName ?? "\(topic)-value"
        case .topicRecord: return "\(topic)-\(recordName ?? "value")"
        }
    }
}
