/// Where part files live and what they are called (docs/parquet.md, "Layout").
///
/// Visible: `<path>/<k=v>/…/part-<job>-<instance>-<slot>-<checkpoint>-<n>.<ext>`,
/// unique (checkpoint ids never repeat for a task slot, `n` counts the slot's
/// files of one checkpoint) and the same whichever process completes the rename.
/// Hidden, until visible: `<path>/.weir-staging/<job>/` holds in-progress and
/// pending files, named after the input partition they hold rows of
/// (`.p<partition>.…`), so that whoever restores a partition finds exactly its
/// files with one directory listing, without walking the partition tree.
public struct PartFileNames: Sendable {
    public let base: String
    public let job: String
    /// The task slot's part of file names: `<instance>-<slot>` (instance made file-name safe).
    public let task: String
    public let fileExtension: String

    public init(base: String, job: String, instance: String, slot: Int, fileExtension: String) {
        self.base = base.hasSuffix("/") && base.count > 1 ? String(base.dropLast()) : base
        self.job = job
        task = Self.safe(instance) + "-\(slot)"
        self.fileExtension = fileExtension
    }

    public var stagingDirectory: String { "\(base)/.weir-staging/\(job)" }

    /// An in-progress file: `seq` is unique within this task's run, `run` tells runs apart.
    public func inProgress(partition: Int, run: UInt64, seq: Int) -> String {
        "\(stagingDirectory)/.p\(partition).part-\(job)-\(task)-r\(run)-\(seq).\(fileExtension).inprogress"
    }

    /// The visible name, relative to `base`: `dir/part-…` (dir empty: at the top).
    public func visibleRelative(directory: String, checkpoint: UInt64, n: Int) -> String {
        let file = "part-\(job)-\(task)-\(checkpoint)-\(n).\(fileExtension)"
        return directory.isEmpty ? file : directory + "/" + file
    }

    /// The pending file of a visible name (what a checkpoint marker lists).
    public func pending(partition: Int, visibleRelative: String) -> String {
        let file = visibleRelative.split(separator: "/").last.map(String.init) ?? visibleRelative
        return "\(stagingDirectory)/.p\(partition).\(file).pending"
    }

    public func visible(_ relative: String) -> String { "\(base)/\(relative)" }

    /// The prefix of every staging file holding rows of `partition` (any task, any run).
    public static func partitionPrefix(_ partition: Int) -> String { ".p\(partition)." }

    /// Letters, digits, '.', '_' and '-' stay; anything else becomes '_'.
    static func safe(_ s: String) -> String {
        let mapped = s.unicodeScalars.map { u -> Character in
            let v = u.value
            let ok = (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x2E || v == 0x5F || v == 0x2D
            return ok ? Character(u) : "_"
        }
        let t = String(mapped)
        return t.isEmpty || t == "." || t == ".." ? "_" : t
    }
}
