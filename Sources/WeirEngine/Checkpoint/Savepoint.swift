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

    public struct PartitionRef: Codable, Sendable, Hashable {
        public var topic: String
        public var partition: Int32
        public init(topic: String, partition: Int32) { self.topic = topic; self.partition = partition }
    }

    public struct Manifest: Codable, Sendable {
        public var format: String
        public var version: Int
        public var job: String
        public var createdAt: String
        public var partitions: [PartitionState]
        /// Partitions held when the savepoint was taken from which nothing had
        /// been read (no state, no offset): a restore starts them as a new
        /// job would. Optional, so version-1 readers and manifests agree.
        public var unreadPartitions: [PartitionRef]?
    }

    public var manifest: Manifest
    /// Chunks per partition, read from the files.
    public var chunks: [TopicPartitionKey: [[UInt8]]]

    public struct TopicPartitionKey: Hashable, Sendable {
        public var topic: String; public var partition: Int32
        public init(topic: String, partition: Int32) { self.topic = topic; self.partition = partition }
    }

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
///
/// Several instances of a service group (`part` set): each writes its own
/// partitions' files (named after the instance) and a part manifest,
/// `_part-<instance>.json`; whoever finds the parts covering every expected
/// partition writes `_manifest.json` from them (`Savepoint.assemble`). A
/// partition in two parts (it moved between instances while they stopped)
/// is taken from the later checkpoint: both are committed states, and the
/// output up to the later one is already written.
public final class SavepointCollector: Sendable {
    public struct Part: Sendable {
        public var instance: String
        /// Every partition the whole savepoint must hold (nil: whatever the parts hold).
        public var expected: Set<Savepoint.TopicPartitionKey>?
        public init(instance: String, expected: Set<Savepoint.TopicPartitionKey>?) {
            self.instance = instance; self.expected = expected
        }
    }

    public let directory: String
    public let job: String
    public let part: Part?
    private let expectedSlots: Int
    private let state = Mutex<(reported: Set<Int>, partitions: [Savepoint.PartitionState], unread: [Savepoint.PartitionRef])>(([], [], []))
    private let done = Atomic<Bool>(false)
    private let partWritten = Atomic<Bool>(false)

    public init(directory: String, job: String, slots: Int, part: Part? = nil) throws {
        self.directory = directory; self.job = job; expectedSlots = slots; self.part = part
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// The manifest is written (by this instance or another).
    public var isDone: Bool {
        if done.load(ordering: .acquiring) { return true }
        return FileManager.default.fileExists(atPath: URL(fileURLWithPath: directory).appendingPathComponent("_manifest.json").path)
    }

    /// This instance has written its part (always true once `isDone`).
    public var isPartWritten: Bool { partWritten.load(ordering: .acquiring) || isDone }

    /// Called by a task (on its thread) after a committed checkpoint: writes its
    /// partitions' chunks; the last slot to report writes the manifest (or this
    /// instance's part, and the manifest when the parts are complete).
    /// `unread`: partitions the task holds but has read nothing from (nothing to save, but covered).
    public func report(slot: Int, partitions: [(marker: CheckpointMarker, chunks: [[UInt8]])],
                       unread: [Savepoint.PartitionRef] = []) throws {
        var entries: [Savepoint.PartitionState] = []
        let prefix = part.map { "\(Savepoint.fileSafe($0.instance))." } ?? ""
        for (marker, chunks) in partitions {
            var files: [String] = []
            for (i, c) in chunks.enumerated() {
                let name = "\(prefix)\(marker.topic).\(marker.partition).\(i).state"
                try Data(c).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
                files.append(name)
            }
            entries.append(Savepoint.PartitionState(topic: marker.topic, partition: marker.partition, nextOffset: marker.nextOffset,
                                                    watermark: marker.watermark, maxEventTime: marker.maxEventTime,
                                                    checkpointID: marker.checkpointID, files: files))
        }
        let reported: ([Savepoint.PartitionState], [Savepoint.PartitionRef])? = state.withLock { s in
            s.reported.insert(slot)
            s.partitions += entries
            s.unread += unread
            return s.reported.count == expectedSlots ? (s.partitions, s.unread) : nil
        }
        guard let (complete, unreadParts) = reported else { return }
        if let part {
            try Savepoint.write(Savepoint.manifest(job: job, partitions: complete, unread: unreadParts), directory: directory,
                                file: "_part-\(Savepoint.fileSafe(part.instance)).json")
            partWritten.store(true, ordering: .releasing)
            if try Savepoint.assemble(directory: directory, job: job, expected: part.expected) { done.store(true, ordering: .releasing) }
        } else {
            try Savepoint.write(Savepoint.manifest(job: job, partitions: complete, unread: unreadParts), directory: directory, file: "_manifest.json")
            done.store(true, ordering: .releasing)
        }
    }
}

extension Savepoint {
    static func manifest(job: String, partitions: [PartitionState], unread: [PartitionRef] = []) -> Manifest {
        let held = Set(partitions.map { PartitionRef(topic: $0.topic, partition: $0.partition) })
        let empty = Set(unread).subtracting(held).sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
        return Manifest(format: format, version: version, job: job, createdAt: ISO8601DateFormatter().string(from: Date()),
                        partitions: partitions.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) },
                        unreadPartitions: empty.isEmpty ? nil : empty)
    }

    /// Writes a manifest atomically (a temporary file renamed into place), so
    /// a reader never sees half of one.
    static func write(_ manifest: Manifest, directory: String, file: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let dir = URL(fileURLWithPath: directory)
        let tmp = dir.appendingPathComponent(".\(file).\(UInt64.random(in: 0...UInt64.max)).tmp")
        try enc.encode(manifest).write(to: tmp)
        if rename(tmp.path, dir.appendingPathComponent(file).path) != 0 {
            try? FileManager.default.removeItem(at: tmp)
            throw SavepointError(description: "\(directory): cannot write \(file) (errno \(errno))")
        }
    }

    /// An instance id as part of a file name: letters, digits, `-` and `_` kept, the rest `_`.
    public static func fileSafe(_ s: String) -> String {
        String(s.unicodeScalars.map { c in
            (("0"..."9").contains(c) || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "-" || c == "_") ? Character(c) : "_"
        })
    }

    /// The part manifests written so far (`_part-*.json`), merged.
    public static func parts(directory: String) -> (job: String?, partitions: [TopicPartitionKey: PartitionState], unread: Set<PartitionRef>, count: Int) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var merged: [TopicPartitionKey: PartitionState] = [:]
        var job: String?
        var count = 0
        var unread = Set<PartitionRef>()
        for name in names.sorted() where name.hasPrefix("_part-") && name.hasSuffix(".json") {
            guard let data = try? Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(name)),
                  let m = try? JSONDecoder().decode(Manifest.self, from: data) else { continue }
            count += 1
            job = m.job
            unread.formUnion(m.unreadPartitions ?? [])
            for p in m.partitions {
                let k = TopicPartitionKey(topic: p.topic, partition: p.partition)
                if let have = merged[k], (have.nextOffset, have.checkpointID) >= (p.nextOffset, p.checkpointID) { continue }
                merged[k] = p
            }
        }
        return (job, merged, unread, count)
    }

    /// Writes `_manifest.json` from the parts once they cover `expected`
    /// (any parts at all when nil). True when the savepoint is complete.
    @discardableResult
    public static func assemble(directory: String, job: String, expected: Set<TopicPartitionKey>?) throws -> Bool {
        let manifestPath = URL(fileURLWithPath: directory).appendingPathComponent("_manifest.json").path
        if FileManager.default.fileExists(atPath: manifestPath) { return true }
        let found = parts(directory: directory)
        guard found.count > 0 else { return false }
        let covered = Set(found.partitions.keys).union(found.unread.map { TopicPartitionKey(topic: $0.topic, partition: $0.partition) })
        if let expected, !expected.isSubset(of: covered) { return false }
        try write(manifest(job: job, partitions: Array(found.partitions.values), unread: Array(found.unread)),
                  directory: directory, file: "_manifest.json")
        return true
    }
}
