import XCTest
import WeirFormats

/// Helpers for the Avro tests: schemas, framed encoding of rows, decoding to strings.
enum AvroFixtures {
    static let event = """
    {"type":"record","name":"Event","namespace":"weir.test","fields":[
      {"name":"user_id","type":"string"},
      {"name":"amount","type":"double"},
      {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
      {"name":"count","type":"int"},
      {"name":"ok","type":"boolean"},
      {"name":"ratio","type":"float"},
      {"name":"note","type":["null","string"],"default":null},
      {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["CLICK","VIEW","BUY"]}},
      {"name":"page","type":{"type":"record","name":"Page","fields":[
          {"name":"host","type":"string"},{"name":"path","type":"string"}]}},
      {"name":"tags","type":{"type":"array","items":"string"}},
      {"name":"attrs","type":{"type":"map","values":"long"}},
      {"name":"raw","type":"bytes"},
      {"name":"hash","type":{"type":"fixed","name":"Hash","size":4}},
      {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
      {"name":"day","type":{"type":"int","logicalType":"date"}},
      {"name":"micros","type":{"type":"long","logicalType":"timestamp-micros"}}
    ]}
    """

    static func schema(_ text: String) throws -> AvroSchema { try AvroSchema(parsing: text) }

    /// Encodes a JSON object (as text) with `schema` under `id`: Confluent framing + Avro binary.
    static func encode(_ json: String, schema: AvroSchema, id: UInt32) throws -> [UInt8] {
        guard case .object(let o) = try JSONValue.parse(json), case .record(let r) = schema.root else {
            throw AvroSchemaError("test input must be an object for a record schema")
        }
        // Through the real row encoder: each field's JSON goes into a cell.
        var row = Row(slotCount: r.fields.count)
        var slots: [String: Int] = [:]
        for (i, f) in r.fields.enumerated() {
            slots[f.name] = i
            guard let v = o[f.name] else { continue }
            row.cells[i] = cell(v, &row)
        }
        let encoder = try AvroRowEncoder(schema: schema, schemaID: id, slots: slots)
        return Array(try encoder.encode(row: row))
    }

    static func cell(_ v: JSONValue, _ row: inout Row) -> Cell {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(row.store(Array(s.utf8)))
        case .array, .object: return .json(row.store(Array(v.text.utf8)))
        }
    }

    /// Cells as readable text.
    static func describe(_ row: Row, _ n: Int) -> [String] {
        (0..<n).map { i in
            switch row.cells[i] {
            case .missing: return "missing"
            case .null: return "null"
            case .bool(let b): return "\(b)"
            case .int(let v): return "int \(v)"
            case .double(let d): return "double \(d)"
            case .string(let s): return "string \(row.string(s))"
            case .json(let s): return "json \(row.string(s))"
            }
        }
    }
}
