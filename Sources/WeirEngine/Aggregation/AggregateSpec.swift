/// One aggregate of a window (or running reduce) operator: what it computes,
/// from which input slot, and its output field name.
public struct AggregateSpec {
    public enum Function {
        /// Records (input nil) or non-null values of the input.
        case count
        /// Int64 while every input is an int; a double as soon as one is (see docs/windows.md).
        case sum
        case min, max
        /// Always a double (unlike Flink SQL's AVG of integers, which truncates).
        case avg
        /// The value with the smallest / greatest event time (ties: the first /
        /// last to arrive). Nulls are skipped, as in Flink's FIRST_VALUE/LAST_VALUE.
        case first, last
        /// Exact number of distinct non-null values (values are stored, not hashed).
        case countDistinct
        /// The first `maxSize` non-null values in arrival order, as a JSON array.
        case collect(maxSize: Int)
        /// A user-written aggregator (Swift API).
        case custom(AnyCustomAggregator)
    }

    public var function: Function
    /// The input row slot; nil only for `count` (= COUNT(*)) and custom aggregators.
    public var input: Int?
    public var name: String
    /// What the input is, as the pipeline names it (a field, or an expression
    /// in canonical form): with the function, the aggregate's identity in
    /// saved state, so state survives edits that move slots. nil: the slot.
    public var inputName: String?

    public init(_ function: Function, input: Int?, name: String, inputName: String? = nil) {
        self.function = function; self.input = input; self.name = name; self.inputName = inputName
    }

    /// The same aggregate with its input named (see `inputName`).
    public func inputNamed(_ name: String?) -> AggregateSpec {
        var s = self
        s.inputName = name
        return s
    }

    public static func count(as name: String) -> AggregateSpec { .init(.count, input: nil, name: name) }
    public static func count(_ slot: Int, as name: String) -> AggregateSpec { .init(.count, input: slot, name: name) }
    public static func sum(_ slot: Int, as name: String) -> AggregateSpec { .init(.sum, input: slot, name: name) }
    public static func min(_ slot: Int, as name: String) -> AggregateSpec { .init(.min, input: slot, name: name) }
    public static func max(_ slot: Int, as name: String) -> AggregateSpec { .init(.max, input: slot, name: name) }
    public static func avg(_ slot: Int, as name: String) -> AggregateSpec { .init(.avg, input: slot, name: name) }
    public static func first(_ slot: Int, as name: String) -> AggregateSpec { .init(.first, input: slot, name: name) }
    public static func last(_ slot: Int, as name: String) -> AggregateSpec { .init(.last, input: slot, name: name) }
    public static func countDistinct(_ slot: Int, as name: String) -> AggregateSpec { .init(.countDistinct, input: slot, name: name) }
    public static func collect(_ slot: Int, maxSize: Int, as name: String) -> AggregateSpec {
        .init(.collect(maxSize: maxSize), input: slot, name: name)
    }
    public static func custom<A: CustomAggregator>(_ aggregator: A, as name: String) -> AggregateSpec {
        .init(.custom(AnyCustomAggregator(aggregator)), input: nil, name: name)
    }

    /// How saved state describes this aggregate (docs/state-format.md).
    var stateDescription: StateLayout.Aggregate {
        let (f, argument): (String, String)
        switch function {
        case .count: (f, argument) = ("count", "")
        case .sum: (f, argument) = ("sum", "")
        case .min: (f, argument) = ("min", "")
        case .max: (f, argument) = ("max", "")
        case .avg: (f, argument) = ("avg", "")
        case .first: (f, argument) = ("first", "")
        case .last: (f, argument) = ("last", "")
        case .countDistinct: (f, argument) = ("count_distinct", "")
        case .collect(let n): (f, argument) = ("collect", String(n))
        case .custom(let c): (f, argument) = ("custom", c.typeName)
        }
        return StateLayout.Aggregate(name: name, function: f, argument: argument,
                                     input: inputName ?? input.map { "#\($0)" } ?? "", words: 0, side: .none)
    }

    /// A stable description (the layout fingerprint of state format version 1).
    var signature: String {
        let f: String
        switch function {
        case .count: f = "count"
        case .sum: f = "sum"
        case .min: f = "min"
        case .max: f = "max"
        case .avg: f = "avg"
        case .first: f = "first"
        case .last: f = "last"
        case .countDistinct: f = "count_distinct"
        case .collect(let n): f = "collect(\(n))"
        case .custom(let c): f = "custom(\(c.typeName))"
        }
        return "\(f)(\(input.map(String.init) ?? "*"))"
    }
}
