/// A dotted path into a record (`page.url`), as pipelines name fields.
public struct FieldPath: Hashable, Sendable, CustomStringConvertible {
    public let components: [String]
    public init(_ components: [String]) { self.components = components }
    /// Parses `a.b.c`; returns nil for an empty path or an empty component.
    public init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, !parts.contains(where: \.isEmpty) else { return nil }
        components = parts
    }
    public var description: String { components.joined(separator: ".") }
}
