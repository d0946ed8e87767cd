/// The last record a checkpoint writes for one input partition, in the job's
/// `<job>-state` topic (DESIGN.md, "Exactly-once"): which checkpoint it closes,
/// the partition's event-time progress, the next input offset to read, and how
/// many state chunks of the same checkpoint precede it.
///
/// Record key: `m:<topic>:<partition>`. Value (big-endian), version 1:
/// `"WM" u8(version) u64(checkpointID) string(topic) i32(partition)
///  i64(nextOffset) i64(watermark) i64(maxEventTime, Int64.min = none) u32(chunkCount)`
/// Version 2 (written only when `files` is not empty) appends
/// `u32(fileCount) string(file)…`: the part files of a files sink holding this
/// partition's rows of this checkpoint, which become visible once it commits
/// (docs/parquet.md, "Exactly once").
public struct CheckpointMarker: Equatable, Sendable {
    public static let version: UInt8 = 1
    public static let versionWithFiles: UInt8 = 2
    public var checkpointID: UInt64
    public var topic: String
    public var partition: Int32
    public var nextOffset: Int64
    public var watermark: Int64
    public var maxEventTime: Int64?
    public var chunkCount: UInt32
    /// Part files (relative to the files sink's path) this checkpoint makes visible.
    public var files: [String]

    public init(checkpointID: UInt64, topic: String, partition: Int32, nextOffset: Int64,
                watermark: Int64, maxEventTime: Int64?, chunkCount: UInt32, files: [String] = []) {
        self.checkpointID = checkpointID; self.topic = topic; self.partition = partition
        self.nextOffset = nextOffset; self.watermark = watermark; self.maxEventTime = maxEventTime
        self.chunkCount = chunkCount; self.files = files
    }

    public static func key(topic: String, partition: Int32) -> [UInt8] { Array("m:\(topic):\(partition)".utf8) }

    public func encoded() -> [UInt8] {
        var w = BinaryWriter()
        w.u8(UInt8(ascii: "W")); w.u8(UInt8(ascii: "M")); w.u8(files.isEmpty ? Self.version : Self.versionWithFiles)
        w.u64(checkpointID); w.string(topic); w.i32(partition)
        w.i64(nextOffset); w.i64(watermark); w.i64(maxEventTime ?? .min); w.u32(chunkCount)
        if !files.isEmpty {
            w.u32(UInt32(files.count))
            for f in files { w.string(f) }
        }
        return w.bytes
    }

    /// nil when the bytes are not a marker of a version this build reads.
    public static func decode(_ bytes: [UInt8]) -> CheckpointMarker? {
        var r = BinaryReader(bytes)
        do {
            guard try r.u8() == UInt8(ascii: "W"), try r.u8() == UInt8(ascii: "M") else { return nil }
            let v = try r.u8()
            guard v == version || v == versionWithFiles else { return nil }
            let id = try r.u64(), topic = try r.string(), partition = try r.i32()
            let next = try r.i64(), wm = try r.i64(), maxT = try r.i64(), count = try r.u32()
            var files: [String] = []
            if v == versionWithFiles {
                let n = try r.u32()
                guard n <= 1 << 20 else { return nil }
                for _ in 0..<n { files.append(try r.string()) }
            }
            return CheckpointMarker(checkpointID: id, topic: topic, partition: partition, nextOffset: next,
                                    watermark: wm, maxEventTime: maxT == .min ? nil : maxT, chunkCount: count, files: files)
        } catch {
            return nil
        }
    }
}

/// One piece of one partition's operator state in a checkpoint.
///
/// Record key: `s:<topic>:<partition>:<index>` (so a compacted state topic keeps the
/// newest chunk of every index; older checkpoints' chunks are told apart by id). Value, version 1:
/// `"WC" u8(version) u64(checkpointID) u32(index) u32(count) bytes(snapshot chunk)`
/// The chunk is a valid state snapshot on its own (docs/state-format.md).
public struct StateChunk: Equatable, Sendable {
    public static let version: UInt8 = 1
    public var checkpointID: UInt64
    public var index: UInt32
    public var count: UInt32
    public var payload: [UInt8]

    public init(checkpointID: UInt64, index: UInt32, count: UInt32, payload: [UInt8]) {
        self.checkpointID = checkpointID; self.index = index; self.count = count; self.payload = payload
    }

    public static func key(topic: String, partition: Int32, index: UInt32) -> [UInt8] { Array("s:\(topic):\(partition):\(index)".utf8) }
    public static func keyPrefix(topic: String, partition: Int32) -> [UInt8] { Array("s:\(topic):\(partition):".utf8) }

    public func encoded() -> [UInt8] {
        var w = BinaryWriter(capacity: payload.count + 24)
        w.u8(UInt8(ascii: "W")); w.u8(UInt8(ascii: "C")); w.u8(Self.version)
        w.u64(checkpointID); w.u32(index); w.u32(count); w.raw(payload)
        return w.bytes
    }

    public static func decode(_ bytes: [UInt8]) -> StateChunk? {
        var r = BinaryReader(bytes)
        do {
            guard try r.u8() == UInt8(ascii: "W"), try r.u8() == UInt8(ascii: "C"), try r.u8() == version else { return nil }
            let id = try r.u64(), index = try r.u32(), count = try r.u32()
            return StateChunk(checkpointID: id, index: index, count: count, payload: r.rest())
        } catch {
            return nil
        }
    }
}
