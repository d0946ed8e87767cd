import Hummingbird

// Answers of Flink's asynchronous operations (savepoints, stop) and of job
// submission, with Flink's field names.

struct SubmitAnswer: ResponseEncodable {
    let jobid: String
    let name: String
}

struct TriggerAnswer: ResponseEncodable {
    let requestID: String
    enum CodingKeys: String, CodingKey { case requestID = "request-id" }
}

/// `{"status":{"id":"IN_PROGRESS"|"COMPLETED"},"operation":null|{"location"}|{"failure-cause"}}`
struct OperationAnswer: ResponseEncodable {
    struct Status: Encodable { let id: String }
    struct Operation: Encodable {
        struct Cause: Encodable {
            let className: String
            let stackTrace: String
            let serializedThrowable: String?
            enum CodingKeys: String, CodingKey { case className = "class", stackTrace = "stack-trace", serializedThrowable = "serialized-throwable" }
        }
        let location: String?
        let failureCause: Cause?
        enum CodingKeys: String, CodingKey { case location, failureCause = "failure-cause" }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            if let location { try c.encode(location, forKey: .location) }
            if let failureCause { try c.encode(failureCause, forKey: .failureCause) }
        }
    }
    let status: Status
    let operation: Operation?

    enum CodingKeys: String, CodingKey { case status, operation }
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        if let operation { try c.encode(operation, forKey: .operation) } else { try c.encodeNil(forKey: .operation) }
    }
}

struct CheckpointConfigAnswer: ResponseEncodable {
    let mode: String
    let interval: Int
    let timeout: Int
    let minPause: Int
    let maxConcurrent: Int
    let externalization: Externalization
    let stateBackend: String
    let checkpointStorage: String
    struct Externalization: Encodable { let enabled: Bool; let deleteOnCancellation: Bool
        enum CodingKeys: String, CodingKey { case enabled, deleteOnCancellation = "delete_on_cancellation" }
    }
    enum CodingKeys: String, CodingKey {
        case mode, interval, timeout, externalization
        case minPause = "min_pause", maxConcurrent = "max_concurrent"
        case stateBackend = "state_backend", checkpointStorage = "checkpoint_storage"
    }
}
