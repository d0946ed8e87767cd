import Foundation
import Synchronization
import WeirFormats

/// The registry's state: schemas by global id, subjects with their versions,
/// compatibility levels. Persisted as an append-only log of JSON lines under
/// a directory (like Confluent's `_schemas` topic, but a file, because the
/// embedded broker keeps nothing across restarts), replayed at start.
public final class SchemaStore: Sendable {
    struct Stored: Sendable {
        var id: Int
        var text: String
        var type: String           // AVRO, JSON, PROTOBUF
        var canonical: String
        var avro: AvroSchema?
    }
    struct State: Sendable {
        var schemas: [Int: Stored] = [:]
        var byCanonical: [String: Int] = [:]
        var subjects: [String: [(version: Int, id: Int)]] = [:]
        var nextID = 1
        var globalLevel = CompatibilityLevel.backward
        var subjectLevels: [String: CompatibilityLevel] = [:]
    }

    /// One line of the log.
    struct LogEntry: Codable {
        var op: String                  // "register" | "config"
        var subject: String?
        var version: Int?
        var id: Int?
        var schema: String?
        var schemaType: String?
        var level: String?
    }

    private let state = Mutex(State())
    private let logPath: String?

    /// - Parameter directory: where the log lives (created if needed); nil keeps everything in memory.
    public init(directory: String?) throws {
        guard let directory else { logPath = nil; return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("schemas.jsonl")
        logPath = path
        if let data = FileManager.default.contents(atPath: path) {
            for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                // A torn last line (crash mid-write) is skipped, not fatal.
                guard let e = try? JSONDecoder().decode(LogEntry.self, from: Data(line)) else { continue }
                replay(e)
            }
        }
    }

    private func replay(_ e: LogEntry) {
        state.withLock { s in
            switch e.op {
            case "register":
                guard let subject = e.subject, let version = e.version, let id = e.id, let text = e.schema else { return }
                let type = e.schemaType ?? "AVRO"
                if s.schemas[id] == nil, let stored = try? Self.parse(text, type: type, id: id) {
                    s.schemas[id] = stored
                    s.byCanonical[type + ":" + stored.canonical] = id
                }
                s.subjects[subject, default: []].append((version, id))
                s.nextID = max(s.nextID, id + 1)
            case "config":
                guard let level = e.level.flatMap(CompatibilityLevel.init(rawValue:)) else { return }
                if let subject = e.subject { s.subjectLevels[subject] = level } else { s.globalLevel = level }
            default: break
            }
        }
    }

    private func append(_ e: LogEntry) throws(RegistryError) {
        guard let logPath else { return }
        guard var line = try? JSONEncoder().encode(e) else { throw RegistryError.storage("cannot encode log entry") }
        line.append(UInt8(ascii: "\n"))
        let fd = open(logPath, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { throw RegistryError.storage("cannot open \(logPath): errno \(errno)") }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count, fsync(fd) == 0 else { throw RegistryError.storage("cannot write \(logPath): errno \(errno)") }
    }

    static func parse(_ text: String, type: String, id: Int) throws(RegistryError) -> Stored {
        switch type {
        case "AVRO":
            do {
                let s = try AvroSchema(parsing: text)
                return Stored(id: id, text: text, type: type, canonical: s.canonicalForm, avro: s)
            } catch {
                throw RegistryError.invalidSchema("Invalid schema: \(error.message)")
            }
        case "JSON":
            guard let v = try? JSONValue.parse(text) else { throw RegistryError.invalidSchema("Invalid schema: not JSON") }
            return Stored(id: id, text: text, type: type, canonical: v.text, avro: nil)
        default:
            throw RegistryError.invalidSchema("Invalid schema type \(type): Avro and JSON are supported")
        }
    }

    // MARK: queries

    public func schema(id: Int) -> (text: String, type: String)? {
        state.withLock { s in s.schemas[id].map { ($0.text, $0.type) } }
    }

    public func subjects() -> [String] { state.withLock { $0.subjects.keys.sorted() } }

    public func versions(subject: String) throws(RegistryError) -> [Int] {
        let v = state.withLock { $0.subjects[subject]?.map(\.version) }
        guard let v else { throw RegistryError.subjectNotFound(subject) }
        return v
    }

    /// `version`: a number or "latest".
    public func version(subject: String, _ version: String) throws(RegistryError) -> RegisteredSchema {
        let r: Result<RegisteredSchema, RegistryError> = state.withLock { s in
            guard let list = s.subjects[subject], let last = list.last else { return .failure(.subjectNotFound(subject)) }
            let entry: (version: Int, id: Int)?
            if version == "latest" || version == "-1" { entry = last }
            else if let n = Int(version) { entry = list.first { $0.version == n } }
            else { return .failure(.invalidVersion(version)) }
            guard let entry, let stored = s.schemas[entry.id] else { return .failure(.versionNotFound(version)) }
            return .success(RegisteredSchema(subject: subject, version: entry.version, id: entry.id, schema: stored.text,
                                             schemaType: stored.type == "AVRO" ? nil : stored.type))
        }
        return try r.get()
    }

    /// The version of a schema under a subject (`POST /subjects/{subject}`).
    public func lookup(subject: String, schema text: String, type: String) throws(RegistryError) -> RegisteredSchema {
        let stored = try Self.parse(text, type: type, id: 0)
        let r: Result<RegisteredSchema, RegistryError> = state.withLock { s in
            guard let list = s.subjects[subject] else { return .failure(.subjectNotFound(subject)) }
            guard let id = s.byCanonical[type + ":" + stored.canonical], let entry = list.first(where: { $0.id == id }) else {
                return .failure(.schemaNotFound)
            }
            return .success(RegisteredSchema(subject: subject, version: entry.version, id: id, schema: s.schemas[id]?.text ?? text,
                                             schemaType: type == "AVRO" ? nil : type))
        }
        return try r.get()
    }

    public func level(subject: String?) -> CompatibilityLevel {
        state.withLock { s in subject.flatMap { s.subjectLevels[$0] } ?? s.globalLevel }
    }

    public func setLevel(_ level: CompatibilityLevel, subject: String?) throws(RegistryError) {
        try append(LogEntry(op: "config", subject: subject, level: level.rawValue))
        state.withLock { s in if let subject { s.subjectLevels[subject] = level } else { s.globalLevel = level } }
    }

    /// Problems with `text` following the subject's versions under its level (empty: compatible).
    public func compatibilityProblems(subject: String, schema text: String, type: String) throws(RegistryError) -> [String] {
        let new = try Self.parse(text, type: type, id: 0)
        let (earlier, level): ([AvroSchema], CompatibilityLevel) = state.withLock { s in
            let list = s.subjects[subject] ?? []
            return (list.compactMap { s.schemas[$0.id]?.avro }, s.subjectLevels[subject] ?? s.globalLevel)
        }
        guard let avro = new.avro else { return [] }     // JSON Schema: no compatibility rules checked (docs)
        return level.problems(new: avro, earlier: earlier)
    }

    /// Registers a schema under a subject; returns its id (an existing one when
    /// this schema is already known). Refuses an incompatible schema.
    public func register(subject: String, schema text: String, type: String) throws(RegistryError) -> Int {
        let parsed = try Self.parse(text, type: type, id: 0)
        let key = type + ":" + parsed.canonical
        if let existing = state.withLock({ s -> Int? in
            guard let id = s.byCanonical[key], s.subjects[subject]?.contains(where: { $0.id == id }) == true else { return nil }
            return id
        }) { return existing }
        let problems = try compatibilityProblems(subject: subject, schema: text, type: type)
        if !problems.isEmpty {
            throw RegistryError.incompatible(subject: subject, details: problems)
        }
        // Id and version are chosen and logged under the lock, so concurrent
        // registrations cannot take the same numbers.
        let result: Result<Int, RegistryError> = state.withLock { s in
            // Checked again under the lock: two tasks registering the same schema at
            // once must get one version, not two.
            if let id = s.byCanonical[key], s.subjects[subject]?.contains(where: { $0.id == id }) == true {
                return .success(id)
            }
            let id = s.byCanonical[key] ?? s.nextID
            let version = (s.subjects[subject]?.last?.version ?? 0) + 1
            do throws(RegistryError) {
                try append(LogEntry(op: "register", subject: subject, version: version, id: id, schema: text, schemaType: type))
            } catch {
                return .failure(error)
            }
            if s.schemas[id] == nil {
                var stored = parsed
                stored.id = id
                s.schemas[id] = stored
                s.byCanonical[key] = id
                s.nextID = id + 1
            }
            s.subjects[subject, default: []].append((version, id))
            return .success(id)
        }
        return try result.get()
    }
}

/// A registry request refused, with Confluent's status and error code.
public enum RegistryError: Error, Equatable, Sendable {
    case subjectNotFound(String)
    case versionNotFound(String)
    case schemaNotFound
    case incompatible(subject: String, details: [String])
    case invalidSchema(String)
    case invalidVersion(String)
    case invalidLevel(String)
    case badRequest(String)
    case storage(String)

    var status: Int {
        switch self {
        case .subjectNotFound, .versionNotFound, .schemaNotFound: return 404
        case .incompatible: return 409
        case .invalidSchema, .invalidVersion, .invalidLevel: return 422
        case .badRequest: return 400
        case .storage: return 500
        }
    }

    var errorCode: Int {
        switch self {
        case .subjectNotFound: return 40401
        case .versionNotFound: return 40402
        case .schemaNotFound: return 40403
        case .incompatible: return 409
        case .invalidSchema: return 42201
        case .invalidVersion: return 42202
        case .invalidLevel: return 42203
        case .badRequest: return 400
        case .storage: return 50001
        }
    }

    var message: String {
        switch self {
        case .subjectNotFound(let s): return "Subject '\(s)' not found."
        case .versionNotFound(let v): return "Version \(v) not found."
        case .schemaNotFound: return "Schema not found"
        case .incompatible(let s, let d):
            return "Schema being registered is incompatible with an earlier schema for subject \"\(s)\", details: \(d)"
        case .invalidSchema(let m): return m
        case .invalidVersion(let v): return "The specified version '\(v)' is not a valid version id."
        case .invalidLevel(let l): return "Invalid compatibility level \(l)."
        case .badRequest(let m): return m
        case .storage(let m): return "Error while storing the schema: \(m)"
        }
    }
}
