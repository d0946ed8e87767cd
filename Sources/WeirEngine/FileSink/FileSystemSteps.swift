#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file-system calls of the sink's protocol, each checked (no Foundation on this path).
enum FileSystemSteps {
    /// Creates `path` and its missing parents (mode 0755); returns the
    /// directories it created (their parents need an fsync for the new names to last).
    @discardableResult
    static func makeDirectories(_ path: String) throws(FileSinkError) -> [String] {
        var prefix = path.hasPrefix("/") ? "/" : ""
        var created: [String] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += prefix.isEmpty || prefix.hasSuffix("/") ? String(part) : "/" + part
            if mkdir(prefix, 0o755) == 0 {
                created.append(prefix)
            } else if Glibc.errno != EEXIST {
                throw .errno("cannot create directory", prefix)
            }
        }
        return created
    }

    /// fsync of a directory: makes the names created or renamed in it durable.
    static func syncDirectory(_ path: String) throws(FileSinkError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .errno("cannot open directory", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .errno("cannot fsync directory", path) }
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// Atomic within one file system.
    static func rename(_ from: String, _ to: String) throws(FileSinkError) {
        guard Glibc.rename(from, to) == 0 else { throw .errno("cannot rename \(from) to", to) }
    }

    /// Removes a file; one already gone is fine.
    static func remove(_ path: String) throws(FileSinkError) {
        if unlink(path) != 0 && Glibc.errno != ENOENT { throw .errno("cannot delete", path) }
    }

    /// The names in a directory (no `.`/`..`); empty when it does not exist.
    static func list(_ path: String) throws(FileSinkError) -> [String] {
        guard let dir = opendir(path) else {
            if Glibc.errno == ENOENT { return [] }
            throw .errno("cannot list", path)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
