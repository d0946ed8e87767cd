/// A pipeline file was refused; holds every problem found (at least one), in
/// document order.
public struct PipelineError: Error, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    /// The first problem; loaders never throw an empty list.
    public var first: Diagnostic? { diagnostics.first }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}

/// The service configuration (file or environment) was refused.
public struct ServiceConfigError: Error, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    public var first: Diagnostic? { diagnostics.first }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
