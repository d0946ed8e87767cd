import XCTest
@testable import WeirPipelines

/// Window, reduce, time and file pipelines that must be refused, each with the
/// exact place of the first diagnostic.
final class BrokenWindowPipelineTests: XCTestCase {
    /// Kafka in/out, `time:` on line 4 (unless replaced), `steps:` after it; the first step is on line 6.
    func windowed(_ steps: String, time: String? = "time: {eventTime: {field: ts}}") -> String {
        "name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out}}\n" + (time.map { $0 + "\n" } ?? "") + "steps:\n" + steps
    }

    /// A file job: events.jsonl to out.jsonl, `time:` on line 4, `steps:` on 5.
    func fileJob(_ steps: String, extra: String = "") -> String {
        "name: t\nsource: {file: {path: events.jsonl}}\nsink: {file: {path: out.jsonl}}\ntime: {eventTime: {field: ts}}\n" + extra + "steps:\n" + steps
    }

    let keyed = "  - keyBy: [user_id]\n"
    let tumbling = "  - window: {tumbling: 1m}\n"
    let counted = "  - aggregate: {n: count()}\n"

    // MARK: step order

    func testWindowWithoutKeyBy() {
        assertRefused(windowed("  - filter: \"amount > 0\"\n" + tumbling + counted),
                      line: 7, column: 5, field: "steps[1].window", "put a keyBy step before it")
    }

    func testAggregateWithoutWindow() {
        assertRefused(windowed(keyed + counted), line: 7, column: 5, field: "steps[1].aggregate",
                      "after keyBy comes window (then aggregate), reduce or pattern, found aggregate")
    }

    func testAggregateWithoutKeyBy() {
        assertRefused(windowed(counted), line: 6, column: 5, field: "steps[0].aggregate",
                      "aggregate needs keyBy and window steps before it")
    }

    func testReduceWithoutKeyBy() {
        assertRefused(windowed("  - reduce: {n: count()}\n", time: nil), line: 5, column: 5, field: "steps[0].reduce",
                      "reduce needs a keyBy step before it")
    }

    func testStatelessStepBetweenKeyByAndWindow() {
        assertRefused(windowed(keyed + "  - filter: \"x > 1\"\n" + tumbling + counted), line: 7, column: 5,
                      field: "steps[1].filter", "put filter steps before keyBy")
    }

    func testKeyByAtTheEnd() {
        assertRefused(windowed("  - filter: \"x > 1\"\n" + keyed), line: 7, column: 5, field: "steps[1].keyBy",
                      "keyBy must be followed by window and aggregate, or by reduce, or by pattern")
    }

    func testWindowWithoutAggregate() {
        assertRefused(windowed(keyed + tumbling), line: 7, column: 5, field: "steps[1].window",
                      "window must be followed by aggregate")
    }

    func testStepsAfterAggregateAreRefused() {
        assertRefused(windowed(keyed + tumbling + counted + "  - filter: \"n > 1\"\n"), line: 9, column: 5,
                      field: "steps[3].filter", "steps after aggregate are not supported yet")
    }

    func testTwoKeyBys() {
        assertRefused(windowed(keyed + keyed + tumbling + counted), line: 7, column: 5, field: "steps[1].keyBy",
                      "after keyBy comes window (then aggregate), reduce or pattern, found keyBy")
    }

    // MARK: aggregates

    func testUnknownAggregateFunctionPointsInsideTheExpression() {
        assertRefused(windowed(keyed + tumbling + "  - aggregate: {n: count(), m: avgg(amount)}\n"), line: 8, column: 32,
                      field: "steps[2].aggregate.m", "unknown aggregate function 'avgg'; did you mean 'avg'?")
    }

    func testAggregateWithTwoInputs() {
        assertRefused(windowed(keyed + tumbling + "  - aggregate: {s: \"sum(a, b)\"}\n"), line: 8, column: 21,
                      field: "steps[2].aggregate.s", "sum takes one input, e.g. sum(amount); found 2")
    }

    func testCountWithTwoInputs() {
        assertRefused(windowed(keyed + tumbling + "  - aggregate: {n: \"count(a, b)\"}\n"), line: 8, column: 21,
                      field: "steps[2].aggregate.n", "count takes no input")
    }

    func testCollectNeedsAMaximum() {
        assertRefused(windowed(keyed + tumbling + "  - aggregate: {pages: collect(page)}\n"), line: 8, column: 24,
                      field: "steps[2].aggregate.pages", "collect takes an input and the most values to keep")
    }

    func testCollectMaximumInRange() {
        assertRefused(windowed(keyed + tumbling + "  - aggregate: {pages: \"collect(page, 0)\"}\n"), line: 8, column: 39,
                      field: "steps[2].aggregate.pages", "an integer from 1 to 1000000")
    }

    func testCountStarGetsAHint() {
        assertRefused(windowed(keyed + tumbling + "  - aggregate: {n: count(*)}\n"), line: 8, column: 20,
                      field: "steps[2].aggregate.n", "write count() to count records")
    }

    func testAggregateThatIsNotAFunction() {
        assertRefused(windowed(keyed + tumbling + "  - aggregate: {total: amount}\n"), line: 8, column: 24,
                      field: "steps[2].aggregate.total", "expected an aggregate such as count(), sum(amount)")
    }

    func testSumOfText() {
        assertRefused(windowed(keyed + tumbling + "  - aggregate: {s: \"sum(lower(name))\"}\n"), line: 8, column: 25,
                      field: "steps[2].aggregate.s", "sum needs numbers, found string or null")
    }

    func testAggregateInputFieldDroppedEarlier() {
        assertRefused(windowed("  - drop: [amount]\n" + keyed + tumbling + "  - aggregate: {s: sum(amount)}\n"), line: 9, column: 24,
                      field: "steps[3].aggregate.s", "field 'amount' is not in the record here: it was dropped in steps[0].drop")
    }

    func testAggregateNamedLikeTheWindowStart() {
        assertRefused(windowed(keyed + tumbling + "  - aggregate: {window_start: count()}\n"), line: 8, column: 17,
                      field: "steps[2].aggregate.window_start", "output field 'window_start' is already the window start")
    }

    func testAggregateNamedLikeAKey() {
        assertRefused(windowed(keyed + "  - reduce: {user_id: count()}\n"), line: 7, column: 14,
                      field: "steps[1].reduce.user_id", "output field 'user_id' is already a key field")
    }

    // MARK: keyBy

    func testKeyByEmptyList() {
        assertRefused(windowed("  - keyBy: []\n" + tumbling + counted), line: 6, column: 12, field: "steps[0].keyBy",
                      "expected at least one key field, found an empty list")
    }

    func testKeyByTwoKeysOfOneName() {
        assertRefused(windowed("  - keyBy: [user_id, \"lower(user_id) as user_id\"]\n" + tumbling + counted), line: 6, column: 22,
                      field: "steps[0].keyBy[1]", "key field 'user_id' is listed twice")
    }

    func testKeyByFieldNotSelected() {
        assertRefused(windowed("  - select: [amount, ts]\n" + keyed + tumbling + counted), line: 7, column: 13,
                      field: "steps[1].keyBy[0]", "field 'user_id' is not in the record after the select in steps[0].select")
    }

    // MARK: windows and durations

    func testDurationWithoutUnit() {
        assertRefused(windowed(keyed + "  - window: {tumbling: 60}\n" + counted), line: 7, column: 24,
                      field: "steps[1].window.tumbling", "duration '60' needs a unit: ms, s, m, h or d")
    }

    func testUnknownDurationUnit() {
        assertRefused(windowed(keyed + "  - window: {tumbling: 1min}\n" + counted), line: 7, column: 24,
                      field: "steps[1].window.tumbling", "unknown duration unit 'min' in '1min'")
    }

    func testNegativeDuration() {
        assertRefused(windowed(keyed + "  - window: {tumbling: -1s}\n" + counted), line: 7, column: 24,
                      field: "steps[1].window.tumbling", "expected a duration (e.g. 500ms")
    }

    func testZeroWindowSize() {
        assertRefused(windowed(keyed + "  - window: {session: {gap: 0}}\n" + counted), line: 7, column: 29,
                      field: "steps[1].window.session.gap", "the session gap must be at least 1 ms")
    }

    func testSlideLongerThanSize() {
        assertRefused(windowed(keyed + "  - window: {sliding: {size: 1m, slide: 5m}}\n" + counted), line: 7, column: 41,
                      field: "steps[1].window.sliding.slide", "the slide (300000 ms) is longer than the window size (60000 ms)")
    }

    func testOffsetNotShorterThanSize() {
        assertRefused(windowed(keyed + "  - window: {tumbling: {size: 1m, offset: 1m}}\n" + counted), line: 7, column: 43,
                      field: "steps[1].window.tumbling.offset", "the offset must be shorter than the size")
    }

    func testTwoWindowKinds() {
        assertRefused(windowed(keyed + "  - window: {tumbling: 1m, session: 30s}\n" + counted), line: 7, column: 28,
                      field: "steps[1].window.session", "a window has exactly one kind; found both 'tumbling' and 'session'")
    }

    func testWindowWithoutKind() {
        assertRefused(windowed(keyed + "  - window: {allowedLateness: 1s}\n" + counted), line: 7, column: 13,
                      field: "steps[1].window", "missing window kind")
    }

    func testUnknownWindowKey() {
        assertRefused(windowed(keyed + "  - window: {tumbling: 1m, allowedLatenes: 1s}\n" + counted), line: 7, column: 28,
                      field: "steps[1].window.allowedLatenes", "did you mean 'allowedLateness'?")
    }

    // MARK: time

    func testWindowWithoutTime() {
        assertRefused(windowed(keyed + tumbling + counted, time: nil), line: 6, column: 5, field: "steps[1].window",
                      "a window needs 'time:' at the top level")
    }

    func testTimeWithoutStatefulSteps() {
        assertRefused(windowed("  - filter: \"x > 1\"\n"), line: 4, column: 7, field: "time",
                      "'time' is used by window and reduce steps, and this pipeline has none")
    }

    func testTimeWithoutEventOrProcessingTime() {
        assertRefused(windowed(keyed + tumbling + counted, time: "time: {watermark: {maxOutOfOrderness: 2s}}"),
                      line: 4, column: 7, field: "time.eventTime", "missing 'eventTime'")
    }

    func testUnknownTimeFormat() {
        assertRefused(windowed(keyed + tumbling + counted, time: "time: {eventTime: {field: ts, format: epochMilis}}"),
                      line: 4, column: 39, field: "time.eventTime.format", "unknown time format 'epochMilis'; did you mean 'epochMillis'?")
    }

    func testFieldAndKafkaTimestamp() {
        assertRefused(windowed(keyed + tumbling + counted, time: "time: {eventTime: {field: ts, kafkaTimestamp: true}}"),
                      line: 4, column: 31, field: "time.eventTime.kafkaTimestamp", "use either 'field' or 'kafkaTimestamp'")
    }

    func testBadOutOfOrderness() {
        assertRefused(windowed(keyed + tumbling + counted, time: "time: {eventTime: {field: ts}, watermark: {maxOutOfOrderness: two}}"),
                      line: 4, column: 63, field: "time.watermark.maxOutOfOrderness", "expected a duration")
    }

    func testProcessingTimeWithWatermark() {
        assertRefused(windowed(keyed + tumbling + counted, time: "time: {processingTime: true, watermark: {idleTimeout: 1s}}"),
                      line: 4, column: 30, field: "time.watermark", "processing time has no watermark")
    }

    func testProcessingTimeWithAllowedLateness() {
        assertRefused(windowed(keyed + "  - window: {tumbling: 1m, allowedLateness: 10s}\n" + counted, time: "time: {processingTime: true}"),
                      line: 7, column: 28, field: "steps[1].window.allowedLateness", "processing-time windows have no allowed lateness")
    }

    func testTimeFieldDroppedBeforeKeyBy() {
        assertRefused(windowed("  - drop: [ts]\n" + keyed + tumbling + counted), line: 4, column: 27,
                      field: "time.eventTime.field", "the time field: field 'ts' is not in the record here: it was dropped in steps[0].drop")
    }

    func testKafkaTimestampInAFileJob() {
        assertRefused("name: t\nsource: {file: {path: e.jsonl}}\nsink: stdout\ntime: {eventTime: {kafkaTimestamp: true}}\nsteps:\n" + keyed + tumbling + counted,
                      line: 4, column: 7, field: "time", "records read from files have no Kafka timestamp")
    }

    // MARK: sources, sinks, late data

    func testLateDataWithoutWindow() {
        assertRefused(windowed(keyed + "  - reduce: {n: count()}\n") + "lateData: {topic: late}\n", line: 8, column: 19,
                      field: "lateData.topic", "'lateData' receives records too late for their windows: it needs a window step")
    }

    func testLateDataTopicIsTheSinkTopic() {
        assertRefused(windowed(keyed + tumbling + counted) + "lateData: {topic: out}\n", line: 9, column: 19,
                      field: "lateData.topic", "the late-data topic 'out' is also the sink topic")
    }

    func testKeyedByOverSeveralTopics() {
        assertRefused("name: t\nsource: {kafka: {topics: [a, b], keyedBy: [user_id]}}\nsink: {kafka: {topic: out}}\ntime: {eventTime: {field: ts}}\nsteps:\n"
                      + keyed + tumbling + counted,
                      line: 2, column: 44, field: "source.kafka.keyedBy[0]", "records of several topics are repartitioned by key anyway")
    }

    func testSinkKeyWithKeyBy() {
        assertRefused("name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out, key: user_id}}\ntime: {eventTime: {field: ts}}\nsteps:\n"
                      + keyed + tumbling + counted,
                      line: 3, column: 33, field: "sink.kafka.key", "remove sink.kafka.key")
    }

    func testFileSourceToKafkaSink() {
        assertRefused("name: t\nsource: {file: {path: e.jsonl}}\nsink: {kafka: {topic: out}}\n",
                      line: 3, column: 23, field: "sink.kafka.topic", "a Kafka sink needs a Kafka source")
    }

    func testKafkaSourceToStdout() {
        assertRefused("name: t\nsource: {kafka: {topic: in}}\nsink: stdout\n",
                      line: 3, column: 7, field: "sink", "a Kafka source writes to a Kafka sink")
    }

    func testFileJobWithDeadLetterTopic() {
        assertRefused("name: t\nsource: {file: {path: e.jsonl}}\nsink: stdout\ndeadLetter: {topic: dlq}\n",
                      line: 4, column: 21, field: "deadLetter.topic", "a file job writes deadLetter to a file")
    }

    func testSinkFileIsTheInput() {
        assertRefused("name: t\nsource: {file: {paths: [a.jsonl, b.jsonl]}}\nsink: {file: {path: b.jsonl}}\n",
                      line: 3, column: 21, field: "sink.file.path", "the sink 'b.jsonl' is also an input file; it would be overwritten")
    }

    func testDeadLettersAndLateDataToOneFile() {
        assertRefused(fileJob(keyed + tumbling + counted) + "deadLetter: {file: x.jsonl}\nlateData: {file: x.jsonl}\n",
                      line: 10, column: 18, field: "lateData.file", "the late-data file is x.jsonl, as is the dead-letter file")
    }

    func testUnknownBareSink() {
        assertRefused("name: t\nsource: {file: {path: e.jsonl}}\nsink: stdot\n",
                      line: 3, column: 7, field: "sink", "did you mean 'stdout'?")
    }

    func testFilePathAndPaths() {
        assertRefused("name: t\nsource: {file: {path: a, paths: [b]}}\nsink: stdout\n",
                      line: 2, column: 26, field: "source.file.paths", "use either 'path' or 'paths'")
    }

    func testStdinAmongSeveralFiles() {
        assertRefused("name: t\nsource: {file: {paths: [a, \"-\"]}}\nsink: stdout\n",
                      line: 2, column: 28, field: "source.file.paths[1]", "stdin ('-') can only be the one input")
    }
}
