import Foundation
import Synchronization

/// A checkpoint written out to a directory: portable, versioned, the state and
/// next offset of every partition the job's tasks held (Flink's savepoint).
///
/// Layout (version 1):
///     DIR/_manifest.json                  what is there (see `Manifest`)
///     DIR/<topic>.<partition>.<i>.state   snapshot chunk i of a partition, in the
///                                         format of docs/state-format.md
/// The manifest is written last: a directory without it is not a savepoint.
public struct Savepoint: Sendable {
    public static let format = "weir-savepoint"
    public static let version = 1

    public struct PartitionState: Codable, Sendable, Equatable {
        public var topic: String
        public var partition: Int32
        public var nextOffset: Int64
        public var watermark: Int64
        public var maxEventTime: Int64?
        public var checkpointID: UInt64
        public var files: [String]
    }

    public struct Manifest: Codable, Sendable {
        public var format: String
        public var version: Int
        public var job: String
        public var createdAt: String
        public var partitions: [PartitionState]
    }

    public var manifest: Manifest
    /// Chunks per partition, read from the files.
    public var chunks: [TopicPartitionKey: [[UInt8]]]

    public struct TopicPartitionKey: Hashable, Sendable { public var topic: String; public var partition: Int32 }

    public struct SavepointError: Error, CustomStringConvertible { public var description: String }

    /// Reads and checks a savepoint directory.
    public static func load(directory: String) throws -> Savepoint {
        let dir = URL(fileURLWithPath: directory)
        let manifestURL = dir.appendingPathComponent("_manifest.json")
        guard let data = try? Data(contentsOf: manifestURL) else {
            throw SavepointError(description: "\(directory): no _manifest.json (not a savepoint, or not finished)")
        }
        let manifest: Manifest
        do { manifest = try JSONDecoder().decode(Manifest.self, from: data) } catch {
            throw SavepointError(description: "\(manifestURL.path): not a savepoint manifest: \(error)")
        }
        guard manifest.format == format else {
            throw SavepointError(description: "\(manifestURL.path): format '\(manifest.format)', expected '\(format)'")
        }
        guard manifest.version == version else {
            throw SavepointError(description: "\(manifestURL.path): savepoint version \(manifest.version); this build reads version \(version)")
        }
        var chunks: [TopicPartitionKey: [[UInt8]]] = [:]
        for p in manifest.partitions {
            var list: [[UInt8]] = []
            for f in p.files {
                guard !f.contains("/"), let bytes = try? Data(contentsOf: dir.appendingPathComponent(f)) else {
                    throw SavepointError(description: "\(directory): state file '\(f)' of \(p.topic)[\(p.partition)] is missing")
                }
                list.append([UInt8](bytes))
            }
            chunks[TopicPartitionKey(topic: p.topic, partition: p.partition)] = list
        }
        return Savepoint(manifest: manifest, chunks: chunks)
    }

    public func state(topic: String, partition: Int32) -> (PartitionState, [[UInt8]])? {
        guard let p = manifest.partitions.first(where: { $0.topic == topic && $0.partition == partition }) else { return nil }
        return (p, chunks[TopicPartitionKey(topic: topic, partition: partition)] ?? [])
    }
}

/// Collects what each task writes for one savepoint and writes the manifest
/// once every slot has reported.
public final class SavepointCollector: Sendable {
    public let directory: String
    public let job: String
    private let expectedSlots: Int
    private let state = Mutex<(reported: Set<Int>, partitions: [Savepoint.PartitionState], failed: String?)>(([], [], nil))
    private let done = Atomic<Bool>(false)

    public init(directory: String, job: String, slots: Int) throws {
        self.directory = directory; self.job = job; expectedSlots = slots
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    public var isDone: Bool { done.load(ordering: .acquiring) }

    /// Called by a task (on its thread) after a committed checkpoint: writes its
    /// partitions' chunks; the last slot to report writes the manifest.
    public func report(slot: Int, partitions: [(marker: CheckpointMarker, chunks: [[UInt8]])]) throws {
        var entries: [Savepoint.PartitionState] = []
        for (marker, chunks) in partitions {
            var files: [String] = []
            for (i, c) in chunks.enumerated() {
                let name = "\(marker.topic).\(marker.partition).\(i).state"
                try Data(c).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
                files.append(name)
            }
            entries.append(Savepoint.PartitionState(topic: marker.topic, partition: marker.partition, nextOffset: marker.nextOffset,
                                                    watermark: marker.watermark, maxEventTime: marker.maxEventTime,
                                                    checkpointID: marker.checkpointID, files: files))
        }
        let complete: [Savepoint.PartitionState]? = state.withLock { s in
            s.reported.insert(slot)
            s.partitions += entries
            return s.reported.count == expectedSlots ? s.partitions : nil
        }
        if let complete {
            let manifest = Savepoint.Manifest(format: Savepoint.format, version: Savepoint.version, job: job,
                                              createdAt: ISO8601DateFormatter().string(from: Date()),
                                              partitions: complete.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) })
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try enc.encode(manifest).write(to: URL(fileURLWithPath: directory).appendingPathComponent("_manifest.json"))
            done.store(true, ordering: .releasing)
        }
    }
}
