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
    /// Weir's: what the jobs list shows, so one request serves it (not three per job).
    let figures: Figures

    struct Figures: Encodable {
        let readRecords: Int
        let writeRecords: Int
        let numRestarts: Int
        let lagRecords: Int64?
        let lagSeconds: Double?
        let lastCheckpoint: Int64?
        enum CodingKeys: String, CodingKey {
            case readRecords = "read-records", writeRecords = "write-records", numRestarts = "num-restarts"
            case lagRecords = "lag-records", lagSeconds = "lag-seconds", lastCheckpoint = "last-checkpoint"
        }
    }

    enum CodingKeys: String, CodingKey {
        case jid, name, state, tasks, figures
        case startTime = "start-time", endTime = "end-time", duration, lastModification = "last-modification"
    }
}

/// `now` (Weir's) is the clock the figures were read at, for rates between two answers.
struct JobsOverview: ResponseEncodable { let jobs: [JobOverview]; let now: Int64 }

struct JobDetail: ResponseEncodable {
    struct Vertex: Encodable {
        struct Metrics: Encodable {
            let readRecords: Int
            let writeRecords: Int
            let readBytes: Int
            let writeBytes: Int
            /// Milliseconds, as Flink's.
            let accumulatedBusyTime: Int64
            let accumulatedBackpressuredTime: Int64
            enum CodingKeys: String, CodingKey {
                case readRecords = "read-records", writeRecords = "write-records", readBytes = "read-bytes", writeBytes = "write-bytes"
                case accumulatedBusyTime = "accumulated-busy-time", accumulatedBackpressuredTime = "accumulated-backpressured-time"
            }
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
    /// Epoch ms when this process started (Weir's: the UI's uptime).
    let startTime: Int64
    /// Weir's: the service group's instances heard from lately (`taskmanagers` counts them).
    let instances: [Instance]
    let instance: String

    struct Instance: Encodable {
        let id: String
        let startTime: Int64
        let lastHeartbeat: Int64
        let version: String
        enum CodingKeys: String, CodingKey { case id, version, startTime = "start-time", lastHeartbeat = "last-heartbeat" }
    }

    enum CodingKeys: String, CodingKey {
        case taskmanagers, slotsTotal = "slots-total", jobsRunning = "jobs-running", jobsFinished = "jobs-finished"
        case jobsCancelled = "jobs-cancelled", jobsFailed = "jobs-failed"
        case weirVersion = "weir-version", librdkafkaVersion = "librdkafka-version", startTime = "start-time", instances, instance
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
    struct Counts: Encodable {
        let restored: Int; let total: Int; let inProgress: Int; let completed: Int; let failed: Int
        enum CodingKeys: String, CodingKey { case restored, total, inProgress = "in_progress", completed, failed }
    }
    struct Stats: Encodable { let min: Int64; let max: Int64; let avg: Int64; let p50: Int64; let p99: Int64 }
    struct Summary: Encodable { let endToEndDuration: Stats?; let stateSize: Stats?
        enum CodingKeys: String, CodingKey { case endToEndDuration = "end_to_end_duration", stateSize = "state_size" }
    }
    /// One checkpoint of one task (Flink's history entries are job-wide; Weir's tasks checkpoint on their own).
    struct Entry: Encodable {
        let id: UInt64
        let status: String
        let isSavepoint: Bool
        let triggerTimestamp: Int64
        let latestAckTimestamp: Int64
        let stateSize: Int
        let endToEndDuration: Int64
        let numSubtasks: Int
        let numAcknowledgedSubtasks: Int
        let task: String
        let partitions: Int
        /// Milliseconds the task stopped processing for this checkpoint (Weir's; absent for a failed one).
        let pause: Double?
        enum CodingKeys: String, CodingKey {
            case id, status, task, partitions, pause
            case isSavepoint = "is_savepoint", triggerTimestamp = "trigger_timestamp", latestAckTimestamp = "latest_ack_timestamp"
            case stateSize = "state_size", endToEndDuration = "end_to_end_duration"
            case numSubtasks = "num_subtasks", numAcknowledgedSubtasks = "num_acknowledged_subtasks"
        }
    }
    struct Restored: Encodable {
        let restoreTimestamp: Int64?
        let isSavepoint: Bool
        let externalPath: String?
        enum CodingKeys: String, CodingKey { case restoreTimestamp = "restore_timestamp", isSavepoint = "is_savepoint", externalPath = "external_path" }
    }
    struct Latest: Encodable {
        let completed: Entry?
        let failed: Entry?
        let restored: Restored?
        let savepoint: Entry?
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(completed, forKey: .completed); try c.encode(failed, forKey: .failed)
            try c.encode(restored, forKey: .restored); try c.encode(savepoint, forKey: .savepoint)
        }
        enum CodingKeys: String, CodingKey { case completed, failed, restored, savepoint }
    }
    let counts: Counts
    let summary: Summary
    let latest: Latest
    let history: [Entry]
}

/// `GET /jobs/{id}/lag`: this instance's partitions of the job.
struct LagAnswer: ResponseEncodable {
    struct Partition: Encodable {
        let topic: String; let partition: Int32; let task: String
        let committedOffset: Int64?; let offset: Int64?; let endOffset: Int64?; let lagRecords: Int64?; let lagSeconds: Double?
        enum CodingKeys: String, CodingKey {
            case topic, partition, task, offset
            case committedOffset = "committed-offset", endOffset = "end-offset", lagRecords = "lag-records", lagSeconds = "lag-seconds"
        }
    }
    let jid: String
    let instance: String
    let totalLagRecords: Int64
    let maxLagSeconds: Double?
    let partitions: [Partition]
    enum CodingKeys: String, CodingKey {
        case jid, instance, partitions
        case totalLagRecords = "total-lag-records", maxLagSeconds = "max-lag-seconds"
    }
}

/// `GET /jobs/{id}/watermarks`: each partition's event time here.
struct WatermarksAnswer: ResponseEncodable {
    struct Partition: Encodable {
        let topic: String; let partition: Int32; let task: String
        /// ms since the epoch; nil before the partition's first record.
        let watermark: Int64?
        let watermarkTime: String?
        let idle: Bool
        enum CodingKeys: String, CodingKey { case topic, partition, task, watermark, idle, watermarkTime = "watermark-time" }
    }
    let jid: String
    let instance: String
    let partitions: [Partition]
}

/// `GET /jobs/{id}/dead-letters`: the newest dead-lettered records of this instance, newest first.
struct DeadLettersAnswer: ResponseEncodable {
    struct Record: Encodable {
        let timestamp: Int64
        let errorClass: String
        let reason: String
        let topic: String; let partition: Int32; let offset: Int64
        let valueBytes: Int
        /// The first bytes as text: valid UTF-8 kept, every control or invalid byte as \xHH.
        let preview: String
        let previewBase64: String
        enum CodingKeys: String, CodingKey {
            case timestamp, reason, topic, partition, offset, preview
            case errorClass = "error-class", valueBytes = "value-bytes", previewBase64 = "preview-base64"
        }
    }
    let jid: String
    let instance: String
    let deadLetters: [Record]
    enum CodingKeys: String, CodingKey { case jid, instance, deadLetters = "dead-letters" }
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

/// `GET /jobs/{id}/pipeline`: the job's pipeline text, every secret value masked.
struct PipelineAnswer: ResponseEncodable {
    let jid: String
    let name: String
    let origin: String
    let pipeline: String
}

/// `GET /jobs/{id}/history`: the last 15 minutes, one sample every `interval-ms`.
struct HistoryAnswer: ResponseEncodable {
    struct Sample: Encodable {
        let t: Int64
        let recordsIn: Int
        let recordsOut: Int
        let lagRecords: Int64
        let lagSeconds: Double?
        let watermarkLagSeconds: Double?
        enum CodingKeys: String, CodingKey {
            case t, recordsIn = "records-in", recordsOut = "records-out", lagRecords = "lag-records"
            case lagSeconds = "lag-seconds", watermarkLagSeconds = "watermark-lag-seconds"
        }
    }
    let intervalMs: Int64
    let samples: [Sample]
    enum CodingKeys: String, CodingKey { case intervalMs = "interval-ms", samples }
}
