import WeirFormats

/// Why a record has no usable event time; the record goes to the dead-letter topic.
public struct TimestampError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Where a record's event time comes from.
public enum TimestampSource: Sendable, Equatable {
    /// A field of the row (its slot) in the given format.
    case field(slot: Int, format: TimestampFormat)
    /// The Kafka record's timestamp (create or log-append time).
    case kafkaTimestamp
}

public enum TimestampFormat: String, Sendable, Equatable {
    /// Integer epoch milliseconds (a double is rounded to the nearest millisecond).
    case epochMillis
    /// Epoch seconds, integer or fractional (`1732530000.123`), rounded to the nearest millisecond.
    case epochSeconds
    /// An RFC 3339 / ISO-8601 string, see `RFC3339`.
    case iso8601
}

/// Reads the event time of a record. Allocation-free on success.
public struct TimestampExtractor: Sendable, Equatable {
    public var source: TimestampSource

    /// Event times are limited to ±2^62 ms (±146 million years) so that window
    /// arithmetic (start + size, end - 1 + lateness) can never overflow.
    public static let maxAbsMillis: Int64 = 1 << 62

    public init(_ source: TimestampSource) { self.source = source }

    /// - Parameter kafkaTimestampMs: the record's Kafka timestamp, or nil/negative when it has none.
    @inline(__always)
    public func extract(_ row: Row, kafkaTimestampMs: Int64?) throws(TimestampError) -> Int64 {
        let ms: Int64
        switch source {
        case .kafkaTimestamp:
            guard let k = kafkaTimestampMs, k >= 0 else { throw TimestampError("record has no Kafka timestamp") }
            ms = k
        case .field(let slot, let format):
            guard slot >= 0 && slot < row.cells.count else { throw TimestampError("timestamp slot \(slot) out of range") }
            ms = try Self.convert(row.cells[slot], format: format, row: row)
        }
        guard ms >= -Self.maxAbsMillis && ms <= Self.maxAbsMillis else {
            throw TimestampError("timestamp \(ms) ms out of range")
        }
        return ms
    }

    @inline(__always)
    static func convert(_ cell: Cell, format: TimestampFormat, row: Row) throws(TimestampError) -> Int64 {
        switch (format, cell) {
        case (.epochMillis, .int(let v)): return v
        case (.epochMillis, .double(let d)): return try rounded(d)
        case (.epochSeconds, .int(let v)):
            guard v >= -Self.maxAbsMillis / 1000 && v <= Self.maxAbsMillis / 1000 else {
                throw TimestampError("timestamp \(v) s out of range")
            }
            return v * 1000
        case (.epochSeconds, .double(let d)): return try rounded(d * 1000)
        case (.iso8601, .string(let span)):
            if let ms = row.withBytes(span, { RFC3339.parseMillis($0) }) { return ms }
            throw TimestampError("timestamp is not RFC 3339: \"\(row.string(span))\"")
        case (_, .missing): throw TimestampError("timestamp field is missing")
        case (_, .null): throw TimestampError("timestamp field is null")
        default: throw TimestampError("timestamp field has the wrong type for \(format.rawValue)")
        }
    }

    @inline(__always) static func rounded(_ d: Double) throws(TimestampError) -> Int64 {
        let r = d.rounded()
        guard r.isFinite, r >= -Double(Self.maxAbsMillis), r <= Double(Self.maxAbsMillis) else {
            throw TimestampError("timestamp \(d) out of range")
        }
        return Int64(r)
    }
}
