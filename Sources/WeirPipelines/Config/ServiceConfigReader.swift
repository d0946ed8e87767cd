import Yams

/// Reads `config/weir.yaml` into a `ServiceConfig`, with the same diagnostics
/// as pipeline files.
enum ServiceConfigReader {
    static let topLevelKeys = ["kafka", "parallelism", "instanceID", "dataDir", "checkpoint", "schemaRegistry", "jobs", "savepoints", "rest", "shutdown"]

    static func read(yaml: String, file: String, defaults: ServiceConfig) throws(ServiceConfigError) -> ServiceConfig {
        let root: Node
        switch YAMLDocument.compose(yaml, file: file) {
        case .failure(let d): throw ServiceConfigError([d])
        case .success(nil): return defaults          // empty or comments only
        case .success(.some(let node)): root = node
        }
        var reader = YAMLReader(file: file, text: yaml)
        var config = defaults
        guard let m = reader.mapping(root, "", known: topLevelKeys, expected: "a mapping of settings") else {
            throw ServiceConfigError(reader.diagnostics)
        }
        if let k = m["kafka"], let km = reader.mapping(k, "kafka", known: ["bootstrapServers", "properties"]) {
            if let b = km["bootstrapServers"], let s = reader.string(b, "kafka.bootstrapServers", expected: "host:port[,host:port…]") {
                if let problem = ServiceConfigRules.bootstrapProblem(s) { reader.error("kafka.bootstrapServers", b, problem) }
                else { config.kafka.bootstrapServers = s }
            }
            if let p = km["properties"], let pm = reader.openMapping(p, "kafka.properties", expected: "a mapping of librdkafka property names to values") {
                for e in pm.entries {
                    let field = "kafka.properties.\(e.key)"
                    if let problem = ServiceConfigRules.propertyProblem(e.key) { reader.error(field, e.keyNode, problem); continue }
                    guard let v = reader.string(e.value, field, expected: "a value (string, number or boolean)") else { continue }
                    config.kafka.properties[e.key] = v
                }
            }
        }
        if let p = m["parallelism"], let v = reader.int(p, "parallelism", in: ServiceConfig.parallelismRange) {
            config.parallelism = v
        }
        if let i = m["instanceID"], let s = reader.string(i, "instanceID", expected: "an instance name") {
            if let problem = Names.jobNameProblem(s) { reader.error("instanceID", i, problem) } else { config.instanceID = s }
        }
        if let d = m["dataDir"], let s = reader.string(d, "dataDir", expected: "a directory path") {
            if s.isEmpty { reader.error("dataDir", d, "expected a directory path, found an empty string") } else { config.dataDir = s }
        }
        if let c = m["checkpoint"],
           let cm = reader.mapping(c, "checkpoint", known: ["interval"], expected: "a mapping with interval (e.g. {interval: 5s})"),
           let i = cm.require("interval", "the checkpoint interval", in: &reader),
           let ms = reader.duration(i, "checkpoint.interval", in: ServiceConfig.checkpointIntervalRange,
                                    what: ServiceConfig.checkpointIntervalWhat) {
            config.checkpointIntervalMs = Int(ms)
        }
        if let r = m["schemaRegistry"], let registry = FormatLoader.registry(r, &reader) { config.schemaRegistry = registry }
        if let j = m["jobs"], let jm = reader.mapping(j, "jobs", known: ["directory", "topic"]) {
            if let d = jm["directory"], let s = nonEmpty(d, "jobs.directory", "a directory path", &reader) { config.jobsDirectory = s }
            if let t = jm["topic"], let s = nonEmpty(t, "jobs.topic", "a topic name", &reader) { config.jobsTopic = s }
        }
        if let sp = m["savepoints"], let sm = reader.mapping(sp, "savepoints", known: ["directory"]),
           let d = sm["directory"], let s = nonEmpty(d, "savepoints.directory", "a directory path", &reader) {
            config.savepointsDirectoryOverride = s
        }
        if let r = m["rest"], let rm = reader.mapping(r, "rest", known: ["port", "address", "token", "protectReads", "tls"]) {
            if let p = rm["port"], let v = reader.int(p, "rest.port", in: 0...65535) { config.rest.port = v }
            if let a = rm["address"], let s = nonEmpty(a, "rest.address", "a listen address", &reader) { config.rest.address = s }
            if let t = rm["token"], let s = reader.string(t, "rest.token", expected: "a token") { config.rest.token = s }
            if let p = rm["protectReads"], let b = reader.bool(p, "rest.protectReads") { config.rest.protectReads = b }
            if let t = rm["tls"], let tm = reader.mapping(t, "rest.tls", known: ["certificateFile", "keyFile"]) {
                let cert = tm.require("certificateFile", "the certificate (PEM)", in: &reader)
                let key = tm.require("keyFile", "the private key (PEM)", in: &reader)
                if let cert, let s = nonEmpty(cert, "rest.tls.certificateFile", "a file path", &reader) { config.rest.tlsCertificateFile = s }
                if let key, let s = nonEmpty(key, "rest.tls.keyFile", "a file path", &reader) { config.rest.tlsKeyFile = s }
            }
        }
        if let sh = m["shutdown"], let sm = reader.mapping(sh, "shutdown", known: ["timeout"]),
           let t = sm["timeout"], let ms = reader.duration(t, "shutdown.timeout", in: ServiceConfig.shutdownTimeoutRange,
                                                           what: "a shutdown timeout from 1s to 1h") {
            config.shutdownTimeoutMs = Int(ms)
        }
        if !reader.diagnostics.isEmpty { throw ServiceConfigError(reader.diagnostics) }
        return config
    }
}

extension ServiceConfigReader {
    static func nonEmpty(_ node: Node, _ field: String, _ what: String, _ reader: inout YAMLReader) -> String? {
        guard let s = reader.string(node, field, expected: what) else { return nil }
        if s.isEmpty { reader.error(field, node, "expected \(what), found an empty string"); return nil }
        return s
    }
}

/// Checks shared by the file and the environment.
enum ServiceConfigRules {
    /// librdkafka settings Weir sets itself for exactly-once; letting users
    /// change them would silently break the guarantees.
    static let managedProperties: [String: String] = [
        "bootstrap.servers": "set it with kafka.bootstrapServers (or WEIR_KAFKA_BOOTSTRAP_SERVERS)",
        "group.id": "each pipeline sets its consumer group (source.kafka.group)",
        "transactional.id": "Weir derives it from the job, instance and task slot",
        "enable.idempotence": "Weir's transactional producer needs it on",
        "isolation.level": "Weir reads with read_committed",
        "enable.auto.commit": "offsets are committed inside Weir's transactions",
        "enable.auto.offset.store": "offsets are committed inside Weir's transactions",
    ]

    static func propertyProblem(_ name: String) -> String? {
        if name.isEmpty { return "expected a property name, found an empty string" }
        if let why = managedProperties[name] { return "'\(name)' is managed by Weir: \(why)" }
        return nil
    }

    static func bootstrapProblem(_ s: String) -> String? {
        let servers = s.split(separator: ",", omittingEmptySubsequences: false)
        if s.isEmpty || servers.contains(where: { $0.isEmpty || $0.contains(where: \.isWhitespace) }) {
            return "expected host:port[,host:port…] without spaces, found '\(s)'"
        }
        return nil
    }
}
