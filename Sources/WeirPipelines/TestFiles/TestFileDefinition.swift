import WeirEngine

/// A pipeline test file (`*.test.yaml`, docs/testing.md), read and checked
/// against the pipeline it names.
public struct TestFile {
    /// The file as given.
    public var path: String
    /// Its text (`weir test --update` edits it).
    public var text: String
    /// The pipeline file, relative to the working directory.
    public var pipelinePath: String
    public var pipeline: Pipeline
    public var cases: [TestCase]
}

/// One case: a fresh pipeline, steps run in order, then what must have come out.
public struct TestCase {
    public var name: String
    public var location: SourceLocation
    /// Partitions of each source topic.
    public var partitions: Int
    /// Where the virtual clock starts (epoch ms).
    public var clockStartMs: Int64
    public var steps: [TestStep]
    /// Checked after the last step: what came out since the last `expect` step
    /// (written in the case, or the implicit "nothing").
    public var expect: Expectation
    /// Where the case's keys start, for `--update` to add an `expect`.
    public var layout: TextPlace
}

public struct TestStep {
    public enum Kind {
        /// Records, each its own poll batch.
        case input([InputRecord])
        /// Records in one poll batch.
        case batch([InputRecord])
        /// The watermark of one partition (nil: every one) moves to at least this.
        case advanceWatermark(ms: Int64, partition: Int?, topic: String?)
        case idle(partitions: [Int], topic: String?)
        case advanceClock(ms: Int64)
        case checkpointAndRestore
        case endOfInput
        case expect(Expectation)
    }
    public var kind: Kind
    public var location: SourceLocation
}

/// A record to push.
public struct InputRecord {
    public enum Value {
        /// Encoded as the source's format reads it (JSON text, or Avro with `avroSchema`).
        case structured(TestValue)
        /// These exact bytes (UTF-8 of the text).
        case raw(String)
        /// No value (a tombstone).
        case none
    }
    public var value: Value
    public var key: [UInt8]?
    public var headers: [(name: String, value: String)]
    public var partition: Int
    public var topic: String?
    /// The Kafka timestamp; nil: the clock when it is pushed.
    public var timestampMs: Int64?
    /// The Avro writer schema text (Avro sources).
    public var avroSchema: String?
    public var location: SourceLocation
}

/// What must have come out (since the last check). A list left out means none.
public struct Expectation: Sendable {
    public var output: [ExpectedRecord] = []
    public var deadLetters: [ExpectedRecord] = []
    public var late: [ExpectedRecord] = []
    /// A pattern's timed-out partial matches (`timedOut: {topic: …}`).
    public var timedOut: [ExpectedRecord] = []
    /// Keys whose state is checked (nil: state is not checked).
    public var state: [ExpectedState]?
    /// Lists compare as multisets instead of sequences.
    public var anyOrder = false
    /// Numbers may differ by this much.
    public var tolerance = 0.0
    /// nil for the implicit expectation at the end of a case without one.
    public var location: SourceLocation?
    public var layout: ExpectationLayout?

    public init() {}
}

/// An expected record: every part given is compared, parts left out are not.
public struct ExpectedRecord: Sendable {
    public enum Value: Sendable {
        case structured(TestValue)
        case raw(String)
        /// No value at all.
        case none
    }
    public var value: Value?
    /// The message key's text; `.some(nil)`: no key.
    public var key: String??
    /// Headers that must be present with these values (others may be too).
    public var headers: [(name: String, value: String)] = []
    /// Dead letters: the error class (`decode`, `missingField`, ...).
    public var errorClass: String?
    /// Dead letters: text the error message must contain.
    public var message: String?
    public var location: SourceLocation
}

/// A key's expected state: its entries (open windows, or running aggregates) in any order.
public struct ExpectedState: Sendable {
    /// One text per key field.
    public var key: [String]
    /// The key as written (for `--update`).
    public var keyValue: TestValue
    public var entries: [TestValue]
    public var location: SourceLocation
}

/// A place in the test file's text (1-based), and whether the node there is
/// written in flow style (`{…}`, `[…]`).
public struct TextPlace: Equatable, Sendable {
    public var line: Int
    public var column: Int
    public var isFlow: Bool
    public init(line: Int, column: Int, isFlow: Bool) { self.line = line; self.column = column; self.isFlow = isFlow }
}

/// Where an `expect` mapping and its lists are written, for `--update`.
public struct ExpectationLayout: Sendable {
    /// The `expect` key.
    public var key: TextPlace
    /// Its mapping.
    public var value: TextPlace
    /// `output`, `deadLetters`, `late`, `state`: their keys and values.
    public var entries: [String: (key: TextPlace, value: TextPlace)]
}
