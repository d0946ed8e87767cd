import WeirEngine
import Yams

/// `sink.files`: part files under a directory (docs/parquet.md, "The files sink").
///
///     files:
///       path: lake/clicks/
///       format: parquet                 # or json (JSON lines)
///       partitionBy: [{dt: "date(ts)"}, country]
///       roll: {size: 128MB, interval: 15m}
///       rowGroupSize: 64MB
///       compression: zstd               # snappy, none
///       columns: {user: string, ts: timestamp-millis}
enum FilesSinkLoader {
    static let keys = ["path", "format", "partitionBy", "roll", "rowGroupSize", "compression", "columns"]

    static func load(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> SinkDefinition.Kind? {
        guard let m = reader.mapping(node, field, known: keys, expected: "a mapping with path and format") else { return nil }
        let before = reader.diagnostics.count
        guard let p = m.require("path", "the directory to write part files under", in: &reader),
              let path = reader.filePath(p, m.path("path")) else { return nil }
        var def = FilesSinkDefinition(path: path, location: reader.location(field, node))
        if let f = m["format"] {
            let names = FilesSinkSpec.Format.allNames
            if let text = reader.string(f, m.path("format"), expected: "parquet or json") {
                if let v = FilesSinkSpec.Format(rawValue: text) { def.format = v } else {
                    reader.error(m.path("format"), f, "unknown file format '\(text)': expected parquet or json\(ClosestMatch.hint(for: text, among: names))")
                }
            }
        }
        if let c = m["compression"], let text = reader.string(c, m.path("compression"), expected: "zstd, snappy or none") {
            if let v = FilesSinkSpec.Compression(rawValue: text) { def.compression = v } else {
                reader.error(m.path("compression"), c, "unknown compression '\(text)': expected zstd, snappy or none\(ClosestMatch.hint(for: text, among: ["zstd", "snappy", "none"]))")
            }
        }
        if let r = m["rowGroupSize"], let v = reader.byteSize(r, m.path("rowGroupSize"), in: (64 << 10)...(1 << 30)) {
            def.rowGroupBytes = Int(v)
        }
        if let r = m["roll"], let roll = reader.mapping(r, m.path("roll"), known: ["size", "interval"], expected: "a mapping with size and/or interval") {
            if let s = roll["size"], let v = reader.byteSize(s, roll.path("size"), in: (1 << 10)...(1 << 40)) { def.rollBytes = v }
            if let i = roll["interval"], let v = reader.duration(i, roll.path("interval"), in: 1000...(30 * 86_400_000), what: "a roll interval") {
                def.rollIntervalMs = v
            }
        }
        if let c = m["columns"], let cols = reader.openMapping(c, m.path("columns"), expected: "a mapping of column name to type") {
            var list: [(Located<String>, FilesSinkSpec.ColumnType)] = []
            let typeNames = FilesSinkSpec.ColumnType.names
            for e in cols.entries {
                let at = cols.path(e.key)
                if let why = columnNameProblem(e.key) { reader.error(at, e.keyNode, why); continue }
                guard let t = reader.string(e.value, at, expected: "a column type (\(typeNames.joined(separator: ", ")))") else { continue }
                guard let type = FilesSinkSpec.ColumnType(rawValue: t) else {
                    if t.hasPrefix("decimal") {
                        reader.error(at, e.value, "bad column type '\(t)': write decimal(P,S) with precision 1 ≤ P ≤ 38 and scale 0 ≤ S ≤ P, e.g. decimal(10,2)")
                        continue
                    }
                    reader.error(at, e.value, "unknown column type '\(t)': expected one of \(typeNames.joined(separator: ", "))\(ClosestMatch.hint(for: t, among: typeNames))")
                    continue
                }
                list.append((Located(e.key, at: reader.location(at, e.keyNode)), type))
            }
            if list.isEmpty && cols.entries.isEmpty { reader.error(m.path("columns"), c, "expected at least one column") }
            def.columns = list
        }
        if let pb = m["partitionBy"], let items = reader.sequence(pb, m.path("partitionBy"), expected: "a list of column names or {name: expression}") {
            var seen: Set<String> = []
            for (i, item) in items.enumerated() {
                let at = "\(m.path("partitionBy"))[\(i)]"
                var entry: (Located<String>, PipelineExpression)?
                switch item {
                case .scalar:
                    // `country`: the column itself.
                    guard let e = reader.expression(item, at) else { continue }
                    guard let path = e.syntax.fieldPath, path.components.count == 1 else {
                        reader.error(at, item, "a partition needs a name: write {name: \"\(e.text)\"}")
                        continue
                    }
                    entry = (Located(path.components[0], at: e.location), e)
                case .mapping:
                    guard let one = reader.openMapping(item, at, expected: "{name: expression}") else { continue }
                    guard one.entries.count == 1, let kv = one.entries.first else {
                        reader.error(at, item, "expected one {name: expression} per list item, found \(one.entries.count) keys")
                        continue
                    }
                    guard let e = reader.expression(kv.value, one.path(kv.key)) else { continue }
                    entry = (Located(kv.key, at: reader.location(one.path(kv.key), kv.keyNode)), e)
                default:
                    reader.error(at, item, "expected a column name or {name: expression}, found \(YAMLReader.describe(item))")
                }
                guard let (name, e) = entry else { continue }
                if let why = columnNameProblem(name.value) { reader.append(name.location.diagnostic("partitionBy: \(why)")); continue }
                if !seen.insert(name.value).inserted {
                    reader.append(name.location.diagnostic("partitionBy names '\(name.value)' twice"))
                    continue
                }
                def.partitionBy.append((name, e))
            }
        }
        guard reader.diagnostics.count == before else { return nil }
        return .files(def)
    }

    /// Column and partition names become Parquet column names and directory
    /// names (`name=value`): an identifier keeps both plain.
    static func columnNameProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        guard let first = bytes.first else { return "expected a name, found an empty string" }
        let ok = bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
        if !ok || (first >= 0x30 && first <= 0x39) {
            return "'\(name)' is not a column name: use letters, digits and '_', not starting with a digit"
        }
        return nil
    }
}

extension FilesSinkSpec.Format {
    static var allNames: [String] { ["parquet", "json"] }
}

extension YAMLReader {
    /// A size in bytes: `134217728`, `128MB`, `64 MiB`, `512KB`, `1GB` (KB/MB/GB are
    /// powers of 1024, as Flink's MemorySize reads them), within `range`.
    mutating func byteSize(_ node: Node, _ field: String, in range: ClosedRange<Int64>) -> Int64? {
        let expected = "a size (bytes, or e.g. 512KB, 64MB, 1GB)"
        guard case .scalar(let s) = node, !Self.isNull(s) else {
            error(field, node, "expected \(expected), found \(Self.describe(node))")
            return nil
        }
        let text = s.string.filter { $0 != " " }
        let units: [(String, Int64)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1 << 10), ("MB", 1 << 20),
                                        ("GB", 1 << 30), ("kb", 1 << 10), ("mb", 1 << 20), ("gb", 1 << 30), ("B", 1), ("b", 1)]
        var number = Substring(text), factor: Int64 = 1
        for (u, f) in units where text.hasSuffix(u) { number = text.dropLast(u.count); factor = f; break }
        guard let n = Int64(number), n >= 0, n <= Int64.max / factor else {
            error(field, node, "expected \(expected), found '\(s.string)'")
            return nil
        }
        let v = n * factor
        guard range.contains(v) else {
            error(field, node, "the size must be from \(range.lowerBound) to \(range.upperBound) bytes, found \(s.string)")
            return nil
        }
        return v
    }
}
