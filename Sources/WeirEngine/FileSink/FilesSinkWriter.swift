import WeirFormats
import WeirParquet
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files sink of one task (docs/parquet.md, "Exactly once"): rows go to
/// hidden in-progress part files, one per (input partition, partition
/// directory); a checkpoint closes them and names them pending for that
/// checkpoint; they are renamed to visible only once the checkpoint's Kafka
/// transaction committed (`commit`). A restore completes the renames a
/// committed marker lists (`recover`) and deletes every other staged file of
/// the partition (`cleanup`).
///
/// Files are kept per input partition because each partition's checkpoint
/// marker decides on its own whether its rows were committed (on the
/// embedded broker, markers of one transaction can even be seen apart): a
/// file must never hold rows that two markers decide about.
///
/// One per task thread; not thread-safe. `write` allocates nothing once the
/// part file for the row's directory is open.
public final class FilesSinkWriter {
    public let spec: FilesSinkSpec
    public let names: PartFileNames
    private let schema: ParquetSchema?
    /// The columns' cells in column order (slots `0..<columns.count`), copied
    /// from the pipeline's row: what partition expressions and part writers read.
    @exclusivity(unchecked) private var row: Row
    /// Column `i` is slot `sourceSlots[i]` of the row the pipeline hands over.
    private let sourceSlots: [Int]
    private let partitionNames: [[UInt8]]
    @exclusivity(unchecked) private var dirScratch: [UInt8] = []
    @exclusivity(unchecked) private var digits: [UInt8] = []
    /// Tells this task's runs apart in in-progress names.
    private let run: UInt64
    private var seq = 0

    private final class OpenFile {
        let partition: Int
        let dir: [UInt8]
        let path: String
        let writer: PartWriter
        var lifecycle = PartFileLifecycle()
        let openedNanos: UInt64
        var sinceSizeCheck = 0
        init(partition: Int, dir: [UInt8], path: String, writer: PartWriter, openedNanos: UInt64) {
            self.partition = partition; self.dir = dir; self.path = path; self.writer = writer; self.openedNanos = openedNanos
        }
    }

    /// A finished file in the staging directory (closed, or pending for a checkpoint).
    struct StagedFile {
        var partition: Int
        var dir: String
        var path: String
        var lifecycle: PartFileLifecycle
        var visibleRelative: String?
        var rows: Int
    }

    @exclusivity(unchecked) private var open: [OpenFile] = []
    private(set) var staged: [StagedFile] = []
    /// Rows written (counted; for tests and metrics).
    public private(set) var rowsWritten = 0
    /// Fault injection for the crash test (`WEIR_FILES_SINK_TEST_RENAME_DELAY_MS`):
    /// waits this long between a commit and its renames, so that kills land in
    /// that window and restores must complete the renames. 0 in production.
    private let renameDelayMs: UInt32

    public init(spec: FilesSinkSpec, job: String, instance: String, slot: Int,
                run: UInt64 = CheckpointIDs.wallMicros()) throws(FileSinkError) {
        if let subject = spec.columnsFromSubject {
            throw FileSinkError(.io, "the files sink's columns come from the schema registry's subject \(subject), which was not read at job start (jobs started through WeirJobs' PipelineJobs read it)")
        }
        self.spec = spec
        names = PartFileNames(base: spec.path, job: job, instance: instance, slot: slot, fileExtension: spec.fileExtension)
        if spec.format == .parquet {
            do { schema = try spec.parquetSchema() } catch { throw FileSinkError(.io, "the Parquet schema: \(error)") }
        } else {
            schema = nil
        }
        row = Row(slotCount: spec.columns.count)
        sourceSlots = spec.sourceSlots
        partitionNames = spec.partitionBy.map { Array($0.name.utf8) }
        self.run = run
        renameDelayMs = getenv("WEIR_FILES_SINK_TEST_RENAME_DELAY_MS").flatMap { UInt32(String(cString: $0)) } ?? 0
        dirScratch.reserveCapacity(256)
        digits.reserveCapacity(24)
        for created in try FileSystemSteps.makeDirectories(names.stagingDirectory) {
            try FileSystemSteps.syncDirectory(FileSystemSteps.parent(created))
        }
    }

    /// Open part files (tests and metrics).
    public var openFileCount: Int { open.count }

    // MARK: rows

    /// One output row of input partition `partition`, as the pipeline produced
    /// it (its cells; `spec.sourceSlots` say which are the columns), and for
    /// JSON lines its encoding. Nothing is parsed: cells are copied by value,
    /// their bytes with the row's arena (spans stay valid), into reused storage.
    /// Throws `.record` for a row that cannot be written (dead-letter it), `.io` otherwise.
    @inline(__always)
    public func write(row source: Row, encoded: UnsafeRawBufferPointer?, partition: Int) throws(FileSinkError) {
        if !sourceSlots.isEmpty {
            row.arena.removeAll(keepingCapacity: true)
            row.arena.append(contentsOf: source.arena)
            var i = 0
            while i < sourceSlots.count {   // index loop: no iterator in unoptimised builds
                let slot = sourceSlots[i]
                row.cells[i] = slot < source.cells.count ? source.cells[slot] : .missing
                i += 1
            }
        }
        let value = encoded ?? UnsafeRawBufferPointer(start: nil, count: 0)
        try directory(into: &dirScratch)
        var found: OpenFile?
        var k = 0
        while k < open.count {   // few files are open: a scan beats hashing the directory
            if open[k].partition == partition && open[k].dir == dirScratch { found = open[k]; break }
            k += 1
        }
        let target: OpenFile
        if let found { target = found } else { target = try openFile(partition: partition) }
        try target.writer.append(&row, raw: value)
        rowsWritten &+= 1
        target.sinceSizeCheck += 1
        if target.sinceSizeCheck >= 128 {   // measuring a Parquet writer walks its columns
            target.sinceSizeCheck = 0
            if target.writer.estimatedBytes >= spec.rollBytes { try finish(target) }
        }
    }

    /// `k=v/k=v` of the current row into `out` (empty without partitionBy).
    @inline(__always)
    private func directory(into out: inout [UInt8]) throws(FileSinkError) {
        out.removeAll(keepingCapacity: true)
        var i = 0
        while i < spec.partitionBy.count {
            let p = spec.partitionBy[i]
            defer { i += 1 }
            if i > 0 { out.append(UInt8(ascii: "/")) }
            let cell: Cell
            do { cell = try p.expression.evaluate(&row) } catch {
                throw FileSinkError(.record, "partitionBy '\(p.name)': \(error.message)")
            }
            let ok: Bool
            switch cell {
            case .missing, .null:
                ok = HivePartitionPath.appendComponent(name: partitionNames[i], value: nil, to: &out)
            case .string(let s), .json(let s):
                ok = row.withBytes(s) { HivePartitionPath.appendComponent(name: partitionNames[i], value: $0, to: &out) }
            case .int(let v):
                digits.removeAll(keepingCapacity: true)
                CellFit.appendDecimal(v, to: &digits)
                ok = digits.withUnsafeBytes { HivePartitionPath.appendComponent(name: partitionNames[i], value: $0, to: &out) }
            case .bool(let b):
                ok = (b ? "true" : "false").utf8.withContiguousStorageIfAvailable {
                    HivePartitionPath.appendComponent(name: partitionNames[i], value: UnsafeRawBufferPointer($0), to: &out)
                } ?? false
            case .double(let d):
                var text = "\(d)"   // rare: partitioning by a fractional number
                ok = text.withUTF8 { HivePartitionPath.appendComponent(name: partitionNames[i], value: UnsafeRawBufferPointer($0), to: &out) }
            }
            if !ok { throw FileSinkError(.record, "partitionBy '\(p.name)': the value is longer than \(HivePartitionPath.maxComponentBytes) bytes escaped") }
        }
    }

    private func openFile(partition: Int) throws(FileSinkError) -> OpenFile {
        seq += 1
        let path = names.inProgress(partition: partition, run: run, seq: seq)
        let writer: PartWriter
        if let schema {
            writer = try ParquetPartWriter(path: path, spec: spec, schema: schema)
        } else {
            writer = try JSONLinesPartWriter(path: path)
        }
        let f = OpenFile(partition: partition, dir: dirScratch, path: path, writer: writer, openedNanos: monotonicNanos())
        open.append(f)
        return f
    }

    /// Completes an open file (footer, fsync); it stays staged until a checkpoint takes it.
    private func finish(_ f: OpenFile) throws(FileSinkError) {
        open.removeAll { $0 === f }
        if f.writer.rows == 0 {   // its only rows did not fit: no empty file
            f.writer.abandon()
            try FileSystemSteps.remove(f.path)
            return
        }
        do { try f.lifecycle.close() } catch { throw FileSinkError(.io, error.description) }
        do { try f.writer.finish() } catch {
            try? FileSystemSteps.remove(f.path)
            throw error
        }
        staged.append(StagedFile(partition: f.partition, dir: String(decoding: f.dir, as: UTF8.self), path: f.path,
                                 lifecycle: f.lifecycle, visibleRelative: nil, rows: f.writer.rows))
    }

    /// Closes files open longer than `roll.interval` (called between batches).
    public func rollAged(nowNanos: UInt64 = monotonicNanos()) throws(FileSinkError) {
        guard let ms = spec.rollIntervalMs else { return }
        let limit = UInt64(ms) * 1_000_000
        for f in open where nowNanos &- f.openedNanos >= limit { try finish(f) }
    }

    // MARK: checkpoints

    /// Checkpoint `id`: every open file is finished, and every finished file
    /// gets its final name and is renamed to pending (then the staging
    /// directory is fsynced). Returns, per input partition, the visible names
    /// (relative to `path`) its marker must list.
    public func prepareCheckpoint(_ id: UInt64) throws(FileSinkError) -> [Int: [String]] {
        for f in open { try finish(f) }
        var listed: [Int: [String]] = [:]
        var n = 0
        for i in staged.indices where staged[i].lifecycle.state == .closed {
            let rel = names.visibleRelative(directory: staged[i].dir, checkpoint: id, n: n)
            n += 1
            let pending = names.pending(partition: staged[i].partition, visibleRelative: rel)
            try FileSystemSteps.rename(staged[i].path, pending)
            do { try staged[i].lifecycle.assign(checkpoint: id) } catch { throw FileSinkError(.io, error.description) }
            staged[i].path = pending
            staged[i].visibleRelative = rel
            listed[staged[i].partition, default: []].append(rel)
        }
        if n > 0 { try FileSystemSteps.syncDirectory(names.stagingDirectory) }
        return listed
    }

    /// Checkpoint `id` committed: its pending files (and any older) become visible.
    public func commit(_ id: UInt64) throws(FileSinkError) {
        if renameDelayMs > 0, staged.contains(where: { $0.visibleRelative != nil }) { usleep(renameDelayMs * 1000) }
        var dirs: Set<String> = []
        var toSync: Set<String> = []
        var kept: [StagedFile] = []
        for var f in staged {
            guard let rel = f.visibleRelative, f.lifecycle.committed(checkpoint: id) else { kept.append(f); continue }
            let target = names.visible(rel)
            let dir = FileSystemSteps.parent(target)
            if dirs.insert(dir).inserted {
                toSync.insert(dir)
                for created in try FileSystemSteps.makeDirectories(dir) { toSync.insert(FileSystemSteps.parent(created)) }
            }
            try FileSystemSteps.rename(f.path, target)
        }
        staged = kept
        // The renamed names, and the names of directories created for them, made durable.
        for d in toSync { try FileSystemSteps.syncDirectory(d) }
        if !dirs.isEmpty { try FileSystemSteps.syncDirectory(names.stagingDirectory) }
    }

    /// The open transaction ends without committing (abort, lost partitions,
    /// a failed task): files in no marker (open and closed ones) are deleted.
    /// Pending files are forgotten here (no later commit renames them) but
    /// left on disk: whether their markers count is for the restore of their
    /// partition to decide (`recover`, `cleanup`) — a commit that failed
    /// unclearly may have committed, and the embedded broker shows an aborted
    /// transaction's markers to read_committed readers (DESIGN.md).
    public func discardUncommitted() {
        for f in open {
            f.writer.abandon()
            try? FileSystemSteps.remove(f.path)
        }
        open.removeAll()
        for f in staged {
            if case .pending = f.lifecycle.state { continue }
            try? FileSystemSteps.remove(f.path)
        }
        staged.removeAll()
    }

    // MARK: restore

    /// A partition restored from a committed marker listing `files`: completes
    /// their renames (idempotent: a file already visible is left). Returns the
    /// names that were neither pending nor visible (lost by hand; logged by the caller).
    public func recover(partition: Int, files: [String]) throws(FileSinkError) -> [String] {
        var missing: [String] = []
        var dirs: Set<String> = []
        for rel in files {
            let pending = names.pending(partition: partition, visibleRelative: rel)
            let target = names.visible(rel)
            if FileSystemSteps.exists(pending) {
                let dir = FileSystemSteps.parent(target)
                if dirs.insert(dir).inserted {
                    for created in try FileSystemSteps.makeDirectories(dir) { dirs.insert(FileSystemSteps.parent(created)) }
                }
                do { try FileSystemSteps.rename(pending, target) } catch {
                    if !FileSystemSteps.exists(target) { throw error }   // someone else completed it meanwhile
                }
            } else if !FileSystemSteps.exists(target) {
                missing.append(rel)
            }
        }
        for d in dirs { try FileSystemSteps.syncDirectory(d) }
        return missing
    }

    /// Deletes every staged file of `partition` (any task, any run) that this
    /// writer is not holding: after `recover`, those are rows no committed
    /// checkpoint covers. Returns how many were deleted.
    @discardableResult
    public func cleanup(partition: Int) throws(FileSinkError) -> Int {
        let prefix = PartFileNames.partitionPrefix(partition)
        let mine = Set(open.map(\.path) + staged.map(\.path))
        var deleted = 0
        for name in try FileSystemSteps.list(names.stagingDirectory) where name.hasPrefix(prefix) {
            let path = names.stagingDirectory + "/" + name
            if mine.contains(path) { continue }
            try FileSystemSteps.remove(path)
            deleted += 1
        }
        return deleted
    }
}
