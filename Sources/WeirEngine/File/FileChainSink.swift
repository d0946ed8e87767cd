import WeirFormats

/// The chain's sink in a file job: output lines to the sink file (or nowhere
/// for `discard`), late records verbatim to the late-data file, dead letters
/// as JSON objects describing the error around the original line.
final class FileChainSink: ChainSink {
    private let output: FileWriter?
    /// A files sink (part files) instead of one output file.
    let files: FilesSinkWriter?
    /// Rows the files sink refused and dead-lettered (counted as emitted by the chain).
    var fileRowsRefused = 0
    private let deadLetters: FileWriter?
    private let lateData: FileWriter?
    private let timedOutData: FileWriter?
    /// The line being processed and where it came from; set by the job before each record.
    // Set per record by one thread: no dynamic exclusivity checks.
    @exclusivity(unchecked) var current = UnsafeRawBufferPointer(start: nil, count: 0)
    /// Where the line came from (dead letters name its file and line): an
    /// index into `inputNames` (-1: none) and its 1-based line number. Numbers,
    /// not the reader, since the line may have been read on another thread.
    @exclusivity(unchecked) var currentInput = -1
    @exclusivity(unchecked) var currentLine = 0
    private let inputNames: [String]

    /// The line the chain is about to process, and where it came from.
    @inline(__always) func setCurrent(_ line: UnsafeRawBufferPointer, input: Int, lineNumber: Int) {
        current = line
        currentInput = input
        currentLine = lineNumber
    }

    init(output: FileWriter?, deadLetters: FileWriter?, lateData: FileWriter?, files: FilesSinkWriter? = nil,
         timedOut: FileWriter? = nil, inputNames: [String] = []) {
        self.output = output; self.deadLetters = deadLetters; self.lateData = lateData; self.files = files
        timedOutData = timedOut
        self.inputNames = inputNames
    }

    /// Output lines are values only.
    var wantsKeys: Bool { false }

    var takesRows: Bool { files != nil }
    var wantsEncodedRows: Bool { files?.spec.format == .json }

    /// An output row for the files sink. One task reads every input file: all rows are partition 0's.
    @inline(__always)
    func emit(row: Row, encoded: UnsafeRawBufferPointer?) throws {
        guard let files else { return }
        do { try files.write(row: row, encoded: encoded, partition: 0) } catch let e as FileSinkError where e.kind == .record {
            fileRowsRefused += 1
            try deadLetter(ProcessingError(.encode, e.message))
        }
    }

    @inline(__always)
    func emit(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws {
        if files != nil {   // the chain hands a files sink rows (`takesRows`), never bytes
            throw FileSinkError(.io, "internal error: the files sink was given encoded bytes instead of a row")
        }
        try output?.writeLine(value)
    }

    /// `{"error":"decode","message":"…","file":"events.jsonl","line":12,"record":"<the line as a JSON string>"}`:
    /// the record is kept as text, since it may not be JSON at all.
    func deadLetter(_ error: ProcessingError) throws {
        guard let w = deadLetters else { return }   // no dead-letter file: counted only
        var line = "{\"error\":" + DeadLetterJSON.string(error.kind.rawValue)
        line += ",\"message\":" + DeadLetterJSON.string(error.message)
        if inputNames.indices.contains(currentInput) {
            line += ",\"file\":" + DeadLetterJSON.string(inputNames[currentInput]) + ",\"line\":\(currentLine)"
        }
        line += ",\"record\":" + DeadLetterJSON.string(bytes: current) + "}"
        try w.writeLine(line)
    }

    func takeRefused() -> Int {
        defer { fileRowsRefused = 0 }
        return fileRowsRefused
    }

    func late() throws {
        try lateData?.writeLine(current)
    }

    func timedOut(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws {
        try timedOutData?.writeLine(value)
    }

    func flush() throws {
        try output?.flush()
        try deadLetters?.flush()
        try lateData?.flush()
        try timedOutData?.flush()
    }
}

/// JSON string literals for dead-letter lines (error path only: allocates).
enum DeadLetterJSON {
    static func string(_ s: String) -> String { string(bytes: UnsafeRawBufferPointer(start: nil, count: 0), s) }

    /// Bytes that are not valid UTF-8 are replaced by U+FFFD.
    static func string(bytes: UnsafeRawBufferPointer) -> String { string(bytes: bytes, nil) }

    private static func string(bytes: UnsafeRawBufferPointer, _ text: String?) -> String {
        let s = text ?? String(decoding: bytes, as: UTF8.self)
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
