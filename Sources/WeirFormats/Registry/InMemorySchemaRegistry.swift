import Synchronization

/// A schema registry held in memory: ids from 1, one per distinct schema
/// (Avro schemas compared by canonical form, as the registry dedupes them),
/// subjects remembering their versions. No compatibility rules: tests
/// register what their pipeline needs. Thread-safe.
public final class InMemorySchemaRegistry: TaskSchemaRegistry, Sendable {
    private struct Entry: Sendable {
        var text: String
        var type: String?
        var identity: String
        var avro: AvroSchema?
    }

    private struct Tables: Sendable {
        var entries: [Entry] = []   // id = index + 1
        var subjects: [String: [Int]] = [:]
    }

    private let tables = Mutex(Tables())

    public init() {}

    public func registerBlocking(subject: String, schema: String, schemaType: String? = nil) throws(SchemaRegistryError) -> Int {
        let isAvro = schemaType == nil || schemaType?.uppercased() == "AVRO"
        var parsed: AvroSchema?
        if isAvro {
            do { parsed = try AvroSchema(parsing: schema) } catch {
                throw SchemaRegistryError(.invalidSchema, status: 422, errorCode: 42201, context: "subject '\(subject)'", "\(error)")
            }
        }
        let identity = (parsed?.canonicalForm ?? schema) + "|" + (isAvro ? "AVRO" : schemaType ?? "")
        return tables.withLock { t in
            let id: Int
            if let i = t.entries.firstIndex(where: { $0.identity == identity }) {
                id = i + 1
            } else {
                t.entries.append(Entry(text: schema, type: isAvro ? nil : schemaType, identity: identity, avro: parsed))
                id = t.entries.count
            }
            if !(t.subjects[subject] ?? []).contains(id) { t.subjects[subject, default: []].append(id) }
            return id
        }
    }

    /// The schema text registered under `id`.
    public func text(id: Int) -> String? {
        tables.withLock { t in id >= 1 && id <= t.entries.count ? t.entries[id - 1].text : nil }
    }

    /// The ids registered under `subject`, oldest first.
    public func versions(subject: String) -> [Int] {
        tables.withLock { $0.subjects[subject] ?? [] }
    }

    public var subjects: [String] { tables.withLock { $0.subjects.keys.sorted() } }

    public func schema(id: UInt32) throws(DecodeError) -> AvroSchema {
        let entry: Entry? = tables.withLock { t in id >= 1 && Int(id) <= t.entries.count ? t.entries[Int(id) - 1] : nil }
        guard let entry else { throw DecodeError(.unknownSchema, offset: 1, "schema id \(id) is not registered") }
        guard let avro = entry.avro else {
            throw DecodeError(.unknownSchema, offset: 1, "schema id \(id) is a \(entry.type ?? "non-Avro") schema, not Avro")
        }
        return avro
    }
}
