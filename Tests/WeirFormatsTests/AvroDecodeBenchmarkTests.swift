import XCTest
import Glibc
import CAvro
import WeirFormats

/// Decode throughput of format-bench.c's Avro record (user_id, amount, ts)
/// into the projected row, next to avro-c's generic decode of the same bytes
/// (avro_value_read + get fields, as format-bench does), same process, same run.
///   WEIR_BENCH=1 swift test -c release --scratch-path .build-i3-release --filter AvroDecodeBenchmarkTests
/// WEIR_BENCH_N sets records per run (default 5,000,000, as format-bench).
final class AvroDecodeBenchmarkTests: XCTestCase {
    static let schemaText = #"{"type":"record","name":"Ev","fields":[{"name":"user_id","type":"string"},{"name":"amount","type":"double"},{"name":"ts","type":"long"}]}"#

    func testProjectedDecodeThroughputAgainstAvroC() throws {
        let env = ProcessInfo.processInfo.environment
        // Without WEIR_BENCH=1 the same loops run on few records: a check, not a measurement.
        let n = env["WEIR_BENCH"] == "1" ? (Int(env["WEIR_BENCH_N"] ?? "") ?? 5_000_000) : 20_000
        let schema = try AvroSchema(parsing: Self.schemaText)
        let record = try XCTUnwrap(AvroRowEncoder.encode(json: .object(["user_id": .string("u999999"), "amount": .double(12.34 + 4_999_999),
                                                                        "ts": .int(1764064800123 + 4_999_999)]), schema: schema, schemaID: 1))
        let payload = Array(record.dropFirst(ConfluentFrame.headerSize))

        // avro-c, as format-bench: avro_value_read into a generic value, then the three fields.
        var cschema: avro_schema_t?
        XCTAssertEqual(avro_schema_from_json_length(Self.schemaText, Self.schemaText.utf8.count, &cschema), 0)
        let iface = avro_generic_class_from_schema(cschema)
        var value = avro_value_t()
        XCTAssertEqual(avro_generic_value_new(iface, &value), 0)
        var cChecksum = 0.0
        let cSeconds = payload.withUnsafeBytes { raw -> Double in
            let base = UnsafeMutableRawPointer(mutating: raw.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }
            let reader = avro_reader_memory(base, Int64(raw.count))
            defer { avro_reader_free(reader) }
            let t0 = now()
            for _ in 0..<n {
                avro_reader_memory_set_source(reader, base, Int64(raw.count))
                _ = value.iface.pointee.reset(value.iface, value.`self`)
                if avro_value_read(reader, &value) != 0 { cChecksum = .nan }
                var f = avro_value_t()
                var s: UnsafePointer<CChar>?
                var sl = 0
                var a = 0.0
                var ts: Int64 = 0
                _ = value.iface.pointee.get_by_index(value.iface, value.`self`, 0, &f, nil); _ = f.iface.pointee.get_string(f.iface, f.`self`, &s, &sl)
                _ = value.iface.pointee.get_by_index(value.iface, value.`self`, 1, &f, nil); _ = f.iface.pointee.get_double(f.iface, f.`self`, &a)
                _ = value.iface.pointee.get_by_index(value.iface, value.`self`, 2, &f, nil); _ = f.iface.pointee.get_long(f.iface, f.`self`, &ts)
                cChecksum += a + Double(s?.pointee ?? 0) + Double(ts & 1)
            }
            return now() - t0
        }
        value.iface.pointee.decref(&value)
        iface?.pointee.decref_iface(iface)
        avro_schema_decref(cschema)

        // Weir: the framed record (frame parse + plan lookup included) into the row.
        let decoder = AvroRowDecoder(fields: [FieldPath(["user_id"]), FieldPath(["amount"]), FieldPath(["ts"])],
                                     source: StaticSchemaSource([1: schema]))
        var row = Row(slotCount: 3)
        var checksum = 0.0
        var failures = 0
        let seconds = record.withUnsafeBytes { raw -> Double in
            let t0 = now()
            for _ in 0..<n {
                do throws(DecodeError) { try decoder.decode(raw, into: &row) } catch { failures += 1 }
                if case .double(let a) = row.cells[1] { checksum += a }
                if case .string(let s) = row.cells[0] { checksum += Double(row.arena[Int(s.start)]) }
                if case .int(let t) = row.cells[2] { checksum += Double(t & 1) }
            }
            return now() - t0
        }
        XCTAssertEqual(failures, 0)
        XCTAssertEqual(row.cells[2], .int(1764064800123 + 4_999_999))
        XCTAssertEqual(checksum, cChecksum, "both decoded the same values")
        print(String(format: "avro-c generic decode (avro_value_read + get fields) N=%d: %.3fs => %.0f rec/s", n, cSeconds, Double(n) / cSeconds))
        print(String(format: "weir AvroRowDecoder projected decode (framed %dB) N=%d: %.3fs => %.0f rec/s (%.2fx avro-c)",
                     record.count, n, seconds, Double(n) / seconds, cSeconds / seconds))
    }

    private func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
