import Hummingbird
import WeirJobs

// Response bodies with Flink's REST field names (docs/rest-api.md), so scripts
// written against Flink read Weir's answers the same way.

struct JobsList: ResponseEncodable {
    struct Entry: Encodable { let id: String; let status: String }
    let jobs: [Entry]
}

struct JobOverview: Encodable {
    struct Tasks: Encodable { let running: Int; let total: Int }
    let jid: String
    let name: String
    let state: String
    let startTime: Int64
    let endTime: Int64
    let duration: Int64
    let lastModification: Int64
    let tasks: Tasks

    enum CodingKeys: String, CodingKey {
        case jid, name, state, tasks
        case startTime = "start-time", endTime = "end-time", duration, lastModification = "last-modification"
    }
}

struct JobsOverview: ResponseEncodable { let jobs: [JobOverview] }

struct JobDetail: ResponseEncodable {
    struct Vertex: Encodable {
        struct Metrics: Encodable {
            let readRecords: Int
            let writeRecords: Int
            enum CodingKeys: String, CodingKey { case readRecords = "read-records", writeRecords = "write-records" }
        }
        let id: String
        let name: String
        let parallelism: Int
        let status: String
        let metrics: Metrics
    }
    let jid: String
    let name: String
    let state: String
    let startTime: Int64
    let endTime: Int64
    let duration: Int64
    let now: Int64
    let numRestarts: Int
    let vertices: [Vertex]

    enum CodingKeys: String, CodingKey {
        case jid, name, state, now, vertices
        case startTime = "start-time", endTime = "end-time", duration, numRestarts = "num-restarts"
    }
}

struct Overview: ResponseEncodable {
    let taskmanagers: Int
    let slotsTotal: Int
    let jobsRunning: Int
    let jobsFinished: Int
    let jobsCancelled: Int
    let jobsFailed: Int
    let weirVersion: String
    let librdkafkaVersion: String

    enum CodingKeys: String, CodingKey {
        case taskmanagers, slotsTotal = "slots-total", jobsRunning = "jobs-running", jobsFinished = "jobs-finished"
        case jobsCancelled = "jobs-cancelled", jobsFailed = "jobs-failed"
        case weirVersion = "weir-version", librdkafkaVersion = "librdkafka-version"
    }
}

struct Health: ResponseEncodable { let status: String }

struct ConfigAnswer: ResponseEncodable {
    struct Kafka: Encodable {
        let bootstrapServers: String
        let properties: [String: String]
        enum CodingKeys: String, CodingKey { case bootstrapServers = "bootstrap.servers", properties }
    }
    let refreshInterval: Int
    let weirVersion: String
    let librdkafkaVersion: String
    let instanceID: String
    let kafka: Kafka
    let schemaRegistry: String?
    enum CodingKeys: String, CodingKey {
        case refreshInterval = "refresh-interval", weirVersion = "weir-version", librdkafkaVersion = "librdkafka-version"
        case instanceID = "instance-id", kafka, schemaRegistry = "schema-registry"
    }
}

struct ExceptionsAnswer: ResponseEncodable {
    struct Entry: Encodable {
        let exceptionName: String
        let stacktrace: String
        let timestamp: Int64
        let taskName: String
    }
    struct History: Encodable { let entries: [Entry]; let truncated: Bool }
    let exceptionHistory: History
}

/// `value` is left out when only the names are listed.
struct MetricValue: Encodable { let id: String; let value: String? }
struct MetricsAnswer: ResponseEncodable { let values: [MetricValue]
    func encode(to encoder: Encoder) throws { try values.encode(to: encoder) }   // Flink answers a bare array
}

struct PlanAnswer: ResponseEncodable {
    struct Input: Encodable { let num: Int; let id: String; let shipStrategy: String
        enum CodingKeys: String, CodingKey { case num, id, shipStrategy = "ship_strategy" }
    }
    struct Node: Encodable {
        let id: String
        let parallelism: Int
        let operator_: String
        let description: String
        let inputs: [Input]
        enum CodingKeys: String, CodingKey { case id, parallelism, operator_ = "operator", description, inputs }
    }
    struct Plan: Encodable { let jid: String; let name: String; let type: String; let nodes: [Node] }
    let plan: Plan
}

struct CheckpointsAnswer: ResponseEncodable {
    struct Counts: Encodable { let restored: Int; let total: Int; let completed: Int; let failed: Int }
    struct Stats: Encodable { let min: Int64; let max: Int64; let avg: Int64; let p50: Int64; let p99: Int64 }
    struct Summary: Encodable { let endToEndDuration: Stats?
        enum CodingKeys: String, CodingKey { case endToEndDuration = "end_to_end_duration" }
    }
    let counts: Counts
    let summary: Summary
}

/// `POST /jobs/validate`: the pipeline's diagnostics, as `weir validate` prints them, as data.
struct ValidationAnswer: ResponseEncodable {
    struct Item: Encodable {
        let severity: String
        let line: Int
        let column: Int
        let field: String
        let message: String
        /// `file:line:column: severity: field: message`, as `weir validate` prints it.
        let text: String
    }
    let valid: Bool
    let name: String?
    let diagnostics: [Item]
}
