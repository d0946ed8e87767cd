/// What the jobs topic keeps about one job (Kafka Connect keeps connector
/// configs the same way): the pipeline text and what the user wants of it.
/// Every instance of a service group reads these and runs its share of every
/// job whose desired state is `running`.
public struct JobDefinition: Codable, Sendable, Equatable {
    public enum DesiredState: String, Codable, Sendable { case running, stopped, cancelled }

    /// A stop with a savepoint (`POST /jobs/{id}/stop`): every instance writes
    /// its part into `directory`, then stops.
    public struct StopRequest: Codable, Sendable, Equatable {
        public var requestID: String
        public var directory: String
        public var drain: Bool
        public init(requestID: String, directory: String, drain: Bool) {
            self.requestID = requestID; self.directory = directory; self.drain = drain
        }
    }

    public var name: String
    /// The pipeline file's text (YAML).
    public var pipeline: String
    /// Where it came from: the file's path, or `rest`.
    public var origin: String
    public var state: DesiredState
    public var parallelism: Int?
    /// Start from this savepoint (only when the job starts afresh).
    public var savepointPath: String?
    public var stop: StopRequest?
    /// Milliseconds since the epoch of this version.
    public var updatedAt: Int64

    public init(name: String, pipeline: String, origin: String, state: DesiredState = .running, parallelism: Int? = nil,
                savepointPath: String? = nil, stop: StopRequest? = nil, updatedAt: Int64) {
        self.name = name; self.pipeline = pipeline; self.origin = origin; self.state = state
        self.parallelism = parallelism; self.savepointPath = savepointPath; self.stop = stop; self.updatedAt = updatedAt
    }

    /// The same job to run: a change here means the running job must be replaced.
    public func runsLike(_ other: JobDefinition) -> Bool {
        pipeline == other.pipeline && parallelism == other.parallelism
    }
}

/// A savepoint asked of a running job (`POST /jobs/{id}/savepoints`): every
/// instance running the job writes its partitions' part into `directory`.
public struct SavepointRequest: Codable, Sendable, Equatable {
    public var requestID: String
    public var job: String
    public var directory: String
    public var cancelJob: Bool
    public var requestedAt: Int64

    public init(requestID: String, job: String, directory: String, cancelJob: Bool, requestedAt: Int64) {
        self.requestID = requestID; self.job = job; self.directory = directory; self.cancelJob = cancelJob; self.requestedAt = requestedAt
    }
}
