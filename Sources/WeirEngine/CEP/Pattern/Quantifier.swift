/// How many events a stage takes (Flink's `Quantifier` plus `Times`).
///
/// `times(n)` is `.times(n, n)`; `times(from, to)`; `oneOrMore()` is
/// `.looping(1)`; `timesOrMore(n)` is `.looping(n)`. `times(0, m)` is stored as
/// `optional` + `.times(1, m)`, as Flink does.
public struct Quantifier: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case single
        /// From `from` to `to` events, both inclusive.
        case times(from: Int, to: Int)
        /// At least `min` events, no upper bound.
        case looping(min: Int)
    }

    public var kind: Kind = .single
    public var optional = false
    public var greedy = false
    public var inner: InnerContiguity = .relaxed

    public init() {}

    /// A looping stage (`oneOrMore`, `timesOrMore`): the only kind `until` applies to.
    public var isLooping: Bool { if case .looping = kind { return true } else { return false } }
    public var isSingle: Bool { kind == .single }

    /// The (from, to) counts the compiler unrolls: a looping stage's `to` is its
    /// minimum, the loop itself adds the rest.
    var bounds: (from: Int, to: Int) {
        switch kind {
        case .single: return (1, 1)
        case .times(let f, let t): return (f, t)
        case .looping(let m): return (m, m)
        }
    }
}
