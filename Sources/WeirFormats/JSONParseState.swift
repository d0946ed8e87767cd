import CYajl

/// Everything the yajl callbacks read and write while one record is parsed.
/// It lives in memory the decoder allocates once and reaches the callbacks as
/// yajl's ctx pointer: plain stored fields, no Swift class, so the per-event
/// path has no reference counting or exclusivity checks.
struct JSONParseState {
    /// One open object or array.
    struct Frame {
        /// Trie node whose children may match keys inside this object; -1 if none can
        /// (arrays, and objects off the projected paths).
        var node: Int32
        /// Trie node whose slots receive this container's text as `.json`; -1 if none.
        var captureNode: Int32
        /// Offset of the container's opening bracket, for the `.json` span.
        var captureStart: Int
    }

    // Fixed for the decoder's lifetime.
    let matcher: JSONFieldMatcher.View
    let seen: UnsafeMutablePointer<UInt32>      // per trie node: generation it was last matched in
    let frames: UnsafeMutablePointer<Frame>     // maxDepth entries
    let nodeCount: Int
    let maxDepth: Int
    let capture: Bool

    // Per record.
    var generation: UInt32 = 0
    var handle: yajl_handle?                     // kept across records (JSONRowDecoder.parse)
    var row: UnsafeMutablePointer<Row>?
    var input: UnsafePointer<UInt8>?
    var inputCount = 0
    var frameOffset = 0                          // bytes of Confluent header before `input`
    var depth = 0
    var pendingNode: Int32 = -1                  // trie node of the key whose value comes next
    var topFinished = false
    var topEnd = 0
    var lastTopEnd = 0                           // end of `{` or of the previous top-level value
    var failure: DecodeError?                    // set by a callback before it cancels the parse
    var succeeded = false                        // the last record decoded without error
    var members = RawGrowableBuffer<JSONMember>()
    var topKeys = JSONKeySet()

    init(matcher: JSONFieldMatcher.View, nodeCount: Int, maxDepth: Int, capture: Bool) {
        self.matcher = matcher
        self.nodeCount = nodeCount
        self.maxDepth = maxDepth
        self.capture = capture
        seen = .allocate(capacity: nodeCount)
        seen.initialize(repeating: 0, count: nodeCount)
        frames = .allocate(capacity: maxDepth)
    }

    /// Forgets the previous record; the decoder then sets input and row.
    mutating func beginRecord() {
        input = nil; inputCount = 0; frameOffset = 0; row = nil
        depth = 0; pendingNode = -1
        topFinished = false; topEnd = 0; lastTopEnd = 0
        failure = nil
        succeeded = false
        members.removeAll()
        topKeys.beginRecord()
        generation &+= 1
        if generation == 0 {                     // wrapped: clear stamps that could look current
            seen.update(repeating: 0, count: nodeCount)
            generation = 1
        }
    }

    mutating func endRecord() {
        row = nil; input = nil
    }

    mutating func deallocate() {
        seen.deallocate(); frames.deallocate(); members.deallocate(); topKeys.deallocate()
    }
}
