import Foundation
import WeirFormats

/// Environment overrides, applied over the file's values:
///
/// | variable | setting |
/// |---|---|
/// | `WEIR_KAFKA_BOOTSTRAP_SERVERS` | `kafka.bootstrapServers` |
/// | `WEIR_KAFKA_PROPERTY_<NAME>` | `kafka.properties`: NAME lower-cased, `_` → `.` |
/// | `WEIR_PARALLELISM` | `parallelism` |
/// | `WEIR_INSTANCE_ID` | `instanceID` |
/// | `WEIR_DATA_DIR` | `dataDir` |
/// | `WEIR_CHECKPOINT_INTERVAL` | `checkpoint.interval` (a duration: `5s`, `200ms`) |
/// | `WEIR_SCHEMA_REGISTRY_URL` | `schemaRegistry.url` (the file's other registry keys stay) |
/// | `WEIR_SCHEMA_REGISTRY_USERNAME`, `WEIR_SCHEMA_REGISTRY_PASSWORD` | `schemaRegistry.username`, `.password` (from a Kubernetes Secret) |
/// | `WEIR_PIPELINES_DIR` | `jobs.directory` |
/// | `WEIR_JOBS_TOPIC` | `jobs.topic` |
/// | `WEIR_SAVEPOINTS_DIR` | `savepoints.directory` |
/// | `WEIR_REST_PORT` | `rest.port` |
/// | `WEIR_REST_TOKEN` | `rest.token` |
extension ServiceConfig {
    static let propertyPrefix = "WEIR_KAFKA_PROPERTY_"

    /// Applies the variables above; bad values are reported together.
    public mutating func applyEnvironment(_ environment: [String: String]) throws(ServiceConfigError) {
        var problems: [Diagnostic] = []
        func fail(_ variable: String, _ message: String) {
            problems.append(Diagnostic(file: "environment", line: 0, column: 0, field: variable, message: message))
        }
        if let v = environment["WEIR_KAFKA_BOOTSTRAP_SERVERS"] {
            if let problem = ServiceConfigRules.bootstrapProblem(v) { fail("WEIR_KAFKA_BOOTSTRAP_SERVERS", problem) }
            else { kafka.bootstrapServers = v }
        }
        if let v = environment["WEIR_PARALLELISM"] {
            if let n = Int(v.trimmingCharacters(in: .whitespaces)), Self.parallelismRange.contains(n) { parallelism = n }
            else { fail("WEIR_PARALLELISM", "expected an integer from \(Self.parallelismRange.lowerBound) to \(Self.parallelismRange.upperBound), found '\(v)'") }
        }
        if let v = environment["WEIR_INSTANCE_ID"] {
            if let problem = Names.jobNameProblem(v) { fail("WEIR_INSTANCE_ID", problem) } else { instanceID = v }
        }
        if let v = environment["WEIR_DATA_DIR"] {
            if v.isEmpty { fail("WEIR_DATA_DIR", "expected a directory path, found an empty string") } else { dataDir = v }
        }
        if let v = environment["WEIR_CHECKPOINT_INTERVAL"] {
            switch Durations.parse(v.trimmingCharacters(in: .whitespaces)) {
            case .failure(let problem): fail("WEIR_CHECKPOINT_INTERVAL", problem.message)
            case .success(let ms) where !Self.checkpointIntervalRange.contains(ms):
                fail("WEIR_CHECKPOINT_INTERVAL", "\(Self.checkpointIntervalWhat) must be \(YAMLReader.describeRange(Self.checkpointIntervalRange)), found \(v)")
            case .success(let ms): checkpointIntervalMs = Int(ms)
            }
        }
        if let v = environment["WEIR_SCHEMA_REGISTRY_URL"] {
            if v.hasPrefix("http://") || v.hasPrefix("https://") {
                if schemaRegistry == nil { schemaRegistry = SchemaRegistryConfig(url: v) } else { schemaRegistry?.url = v }
            } else {
                fail("WEIR_SCHEMA_REGISTRY_URL", "expected an http:// or https:// URL, found '\(v)'")
            }
        }
        // Credentials go with a registry from the file or WEIR_SCHEMA_REGISTRY_URL (applied above).
        for (variable, key) in [("WEIR_SCHEMA_REGISTRY_USERNAME", \SchemaRegistryConfig.username),
                                ("WEIR_SCHEMA_REGISTRY_PASSWORD", \SchemaRegistryConfig.password)] {
            guard let v = environment[variable], !v.isEmpty else { continue }
            if schemaRegistry == nil { fail(variable, "set without a schema registry: give WEIR_SCHEMA_REGISTRY_URL or schemaRegistry.url") }
            else { schemaRegistry?[keyPath: key] = v }
        }
        if let v = environment["WEIR_PIPELINES_DIR"] {
            if v.isEmpty { fail("WEIR_PIPELINES_DIR", "expected a directory path, found an empty string") } else { jobsDirectory = v }
        }
        if let v = environment["WEIR_JOBS_TOPIC"] {
            if v.isEmpty { fail("WEIR_JOBS_TOPIC", "expected a topic name, found an empty string") } else { jobsTopic = v }
        }
        if let v = environment["WEIR_SAVEPOINTS_DIR"] {
            if v.isEmpty { fail("WEIR_SAVEPOINTS_DIR", "expected a directory path, found an empty string") } else { savepointsDirectoryOverride = v }
        }
        if let v = environment["WEIR_REST_PORT"] {
            if let n = Int(v.trimmingCharacters(in: .whitespaces)), (0...65535).contains(n) { rest.port = n }
            else { fail("WEIR_REST_PORT", "expected a port from 0 to 65535, found '\(v)'") }
        }
        if let v = environment["WEIR_REST_TOKEN"], !v.isEmpty { rest.token = v }
        // Sorted so that several problems come out in a stable order.
        for variable in environment.keys.sorted() where variable.hasPrefix(Self.propertyPrefix) {
            let suffix = variable.dropFirst(Self.propertyPrefix.count)
            let name = suffix.lowercased().replacingOccurrences(of: "_", with: ".")
            if suffix.isEmpty || name.hasPrefix(".") || name.hasSuffix(".") || name.contains("..") {
                fail(variable, "expected WEIR_KAFKA_PROPERTY_<NAME> with NAME like SECURITY_PROTOCOL (for security.protocol)")
                continue
            }
            if let problem = ServiceConfigRules.propertyProblem(name) { fail(variable, problem); continue }
            kafka.properties[name] = environment[variable]
        }
        if !problems.isEmpty { throw ServiceConfigError(problems) }
    }
}
