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
