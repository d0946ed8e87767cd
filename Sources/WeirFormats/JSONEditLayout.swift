/// The shape of an edited output record (`RecordProgram.Output.edited`),
/// compiled once: the input's top-level members in order, minus the removed
/// keys, then the appended fields.
///
/// An appended name that already exists in the input replaces that member
/// (it is dropped from the original, then appended), so the output never
/// holds a key twice. Hand `droppedKeys` to the decoder
/// (`JSONRowDecoder(..., captureTopLevel: true, droppedTopLevelKeys:)`), which
/// flags those members while it parses.
public final class JSONEditLayout: @unchecked Sendable {   // immutable after init
    public let removed: Set<String>
    public let appended: JSONOutputLayout
    /// removed ∪ appended names.
    public let droppedKeys: Set<String>

    public init(removed: Set<String>, append: [(name: String, slot: Int)]) {
        self.removed = removed
        appended = JSONOutputLayout(append)
        droppedKeys = removed.union(append.map(\.name))
    }
}
