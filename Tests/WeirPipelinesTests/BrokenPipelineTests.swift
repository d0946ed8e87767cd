import XCTest
@testable import WeirPipelines

/// Pipeline files that must be refused, each with the exact place of the
/// first diagnostic. Steps in `pipeline(steps:)` start on line 5.
final class BrokenPipelineTests: XCTestCase {
    func testYAMLSyntaxError() {
        assertRefused("name: t\nsource: kafka: x\n", line: 2, column: 14, field: "(yaml)", "mapping values are not allowed")
    }

    func testEmptyFile() {
        assertRefused("# nothing here\n", line: 1, column: 1, field: "(root)", "empty")
    }

    func testRootNotAMapping() {
        assertRefused("- a\n- b\n", line: 1, column: 1, field: "(root)", "expected a mapping with name, source, steps and sink, found a list")
    }

    func testDuplicateKey() {
        assertRefused("name: t\nname: u\n", line: 1, column: 1, field: "(yaml)", "duplicate key 'name'")
    }

    func testUnknownTopLevelKeySuggestsClosest() {
        let yaml = "name: t\nsource: {kafka: {topic: in}}\nsinks: {kafka: {topic: out}}\n"
        assertRefused(yaml, line: 3, column: 1, field: "sinks", "unknown key 'sinks'; did you mean 'sink'?")
    }

    func testMissingNamePointsAtRoot() {
        assertRefused("source: {kafka: {topic: in}}\nsink: {kafka: {topic: out}}\n",
                      line: 1, column: 1, field: "name", "missing required key 'name'")
    }

    func testMissingSink() {
        assertRefused("name: t\nsource: {kafka: {topic: in}}\n", line: 1, column: 1, field: "sink", "missing required key 'sink'")
    }

    func testBadJobName() {
        assertRefused("name: clean clicks\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out}}\n",
                      line: 1, column: 7, field: "name", "character ' ' is not allowed")
    }

    func testParallelismNotANumber() {
        assertRefused("name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out}}\nparallelism: two\n",
                      line: 4, column: 14, field: "parallelism", "expected an integer from 1 to 64, found 'two'")
    }

    func testParallelismOutOfRange() {
        assertRefused("name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out}}\nparallelism: 100\n",
                      line: 4, column: 14, field: "parallelism", "expected an integer from 1 to 64, found 100")
    }

    func testTopicIsAList() {
        assertRefused("name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: [a]}}\n",
                      line: 3, column: 23, field: "sink.kafka.topic", "expected a topic name, found a list")
    }

    func testMissingTopicPointsAtKafkaMapping() {
        assertRefused("name: t\nsource: {kafka: {group: g}}\nsink: {kafka: {topic: out}}\n",
                      line: 2, column: 17, field: "source.kafka.topic", "missing required key 'topic'")
    }

    func testTopicAndTopics() {
        assertRefused("name: t\nsource: {kafka: {topic: a, topics: [b]}}\nsink: {kafka: {topic: out}}\n",
                      line: 2, column: 28, field: "source.kafka.topics", "either 'topic' or 'topics'")
    }

    func testUnknownKafkaKey() {
        assertRefused("name: t\nsource: {kafka: {topc: in}}\nsink: {kafka: {topic: out}}\n",
                      line: 2, column: 18, field: "source.kafka.topc", "did you mean 'topic'?")
    }

    func testStartFromMiddle() {
        assertRefused("name: t\nsource: {kafka: {topic: in, startFrom: middle}}\nsink: {kafka: {topic: out}}\n",
                      line: 2, column: 40, field: "source.kafka.startFrom", "expected earliest or latest, found 'middle'")
    }

    func testProtobufNotSupportedYet() {
        assertRefused("name: t\nsource: {kafka: {topic: in}, format: protobuf}\nsink: {kafka: {topic: out}}\n",
                      line: 2, column: 38, field: "source.format", "not supported yet")
    }

    func testSinkTopicIsSourceTopic() {
        assertRefused("name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: in}}\n",
                      line: 3, column: 23, field: "sink.kafka.topic", "also a source topic")
    }

    func testDeadLetterWithoutTopic() {
        assertRefused("name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out}}\ndeadLetter: {}\n",
                      line: 4, column: 13, field: "deadLetter.topic", "missing required key 'topic'")
    }

    func testStepsNotAList() {
        assertRefused("name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out}}\nsteps: {filter: x}\n",
                      line: 4, column: 8, field: "steps", "expected a list of steps, found a mapping")
    }

    func testEmptyStepItem() {
        assertRefused(pipeline(steps: "  -\n  - filter: \"true\"\n"),
                      line: 5, column: 4, field: "steps[0]", "expected a step")
    }

    func testStepWithTwoKeys() {
        assertRefused(pipeline(steps: "  - filter: \"true\"\n    map: {x: \"1\"}\n"),
                      line: 6, column: 5, field: "steps[0].map", "a step has exactly one key, found 2")
    }

    func testUnknownStepKind() {
        assertRefused(pipeline(steps: "  - fliter: \"true\"\n"),
                      line: 5, column: 5, field: "steps[0].fliter", "unknown step kind 'fliter'; did you mean 'filter'?")
    }

    func testSyntaxErrorInPlainScalar() {
        assertRefused(pipeline(steps: "  - filter: event ==\n"),
                      line: 5, column: 21, field: "steps[0].filter", "expected a value, field or function call, found the end")
    }

    func testSyntaxErrorAfterEscapesInDoubleQuotedScalar() {
        assertRefused(pipeline(steps: "  - filter: \"name == \\\"a\\\" and and\"\n"),
                      line: 5, column: 32, field: "steps[0].filter", "found 'and'")
    }

    func testErrorAfterDoubledQuotesInSingleQuotedScalar() {
        assertRefused(pipeline(steps: "  - map: {s: 'concat(a, ''x'', lowr(b))'}\n"),
                      line: 5, column: 32, field: "steps[0].map.s", "unknown function 'lowr'; did you mean 'lower'?")
    }

    func testErrorColumnCountsCharactersNotBytes() {
        assertRefused(pipeline(steps: "  - filter: \"name == 'é' and 5 +\"\n"),
                      line: 5, column: 33, field: "steps[0].filter", "expected a value")
    }

    func testErrorInsideLiteralBlock() {
        assertRefused(pipeline(steps: "  - filter: |\n      event == 'click'\n      and lowr(x)\n"),
                      line: 7, column: 11, field: "steps[0].filter", "unknown function 'lowr'")
    }

    func testErrorInMultiLinePlainScalar() {
        assertRefused(pipeline(steps: "  - filter: event == 'click'\n      and lowr(x)\n"),
                      line: 6, column: 11, field: "steps[0].filter", "unknown function 'lowr'")
    }

    func testErrorInMultiLineDoubleQuotedScalar() {
        assertRefused(pipeline(steps: "  - filter: \"event == 'click'\n      and \\\"x\\\" and lowr(x)\"\n"),
                      line: 6, column: 11, field: "steps[0].filter", "'and' needs booleans, found string")
    }

    func testQuotedNumberIsAString() {
        assertRefused("name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out}}\nparallelism: \"2\"\n",
                      line: 4, column: 14, field: "parallelism", "found the quoted string '2'")
    }

    func testUnterminatedString() {
        assertRefused(pipeline(steps: "  - filter: \"name == 'abc\"\n"),
                      line: 5, column: 22, field: "steps[0].filter", "unterminated string")
    }

    func testWrongArity() {
        assertRefused(pipeline(steps: "  - map: {h: \"lower(a, b)\"}\n"),
                      line: 5, column: 15, field: "steps[0].map.h", "lower() takes 1 argument, found 2")
    }

    func testStaticTypeErrorPointsAtOperator() {
        assertRefused(pipeline(steps: "  - filter: \"'a' * 2 > 1\"\n"),
                      line: 5, column: 18, field: "steps[0].filter", "cannot apply '*' to string and integer")
    }

    func testNotOnNumber() {
        assertRefused(pipeline(steps: "  - filter: \"not 5\"\n"),
                      line: 5, column: 18, field: "steps[0].filter", "'not' needs a boolean, found integer")
    }

    func testBadFunctionArgumentType() {
        assertRefused(pipeline(steps: "  - map: {n: \"length(42)\"}\n"),
                      line: 5, column: 22, field: "steps[0].map.n", "bad argument 1 of length(): expected string, found integer")
    }

    func testComparisonWithNull() {
        assertRefused(pipeline(steps: "  - filter: \"x < null\"\n"),
                      line: 5, column: 16, field: "steps[0].filter", "use 'is null'")
    }

    func testFilterMustBeBoolean() {
        assertRefused(pipeline(steps: "  - filter: \"amount * 2\"\n"),
                      line: 5, column: 13, field: "steps[0].filter", "a filter must be a boolean expression")
    }

    func testConstantDivisionByZero() {
        assertRefused(pipeline(steps: "  - map: {x: \"amount + 1 / 0\"}\n"),
                      line: 5, column: 24, field: "steps[0].map.x", "fails for every record: division by zero")
    }

    func testSelectEntryThatIsNotAField() {
        assertRefused(pipeline(steps: "  - select: [\"lower(x)\"]\n"),
                      line: 5, column: 14, field: "steps[0].select[0]", "add 'as name'")
    }

    func testRenameToExistingField() {
        assertRefused(pipeline(steps: "  - map: {b: \"1\"}\n  - rename: {a: b}\n"),
                      line: 6, column: 17, field: "steps[1].rename.a", "a field named 'b' already exists")
    }

    func testRenameTwoFieldsToOneName() {
        assertRefused(pipeline(steps: "  - rename: {a: c, b: c}\n"),
                      line: 5, column: 23, field: "steps[0].rename.b", "'a' and 'b' are both renamed to 'c'")
    }

    func testUseOfDroppedField() {
        assertRefused(pipeline(steps: "  - drop: [a]\n  - filter: \"a > 1\"\n"),
                      line: 6, column: 14, field: "steps[1].filter", "it was dropped in steps[0].drop")
    }

    func testFieldMissingAfterSelect() {
        assertRefused(pipeline(steps: "  - select: [a, b]\n  - filter: \"c > 1\"\n"),
                      line: 6, column: 14, field: "steps[1].filter", "not in the record after the select in steps[0].select (it has: a, b)")
    }

    func testNestedMapTarget() {
        assertRefused(pipeline(steps: "  - map: {page.host: \"1\"}\n"),
                      line: 5, column: 11, field: "steps[0].map.page.host", "nested fields are not supported yet")
    }

    func testBadKeyExpression() {
        assertRefused("name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out, key: \"lower(\"}}\n",
                      line: 3, column: 40, field: "sink.kafka.key", "expected a value")
    }

    func testSeveralProblemsAreReportedTogether() {
        let yaml = "name: t\nsource: {kafka: {topic: in, startFrom: middle}}\nsink: {kafka: {topic: out}}\nparallelism: 0\n"
        do {
            _ = try PipelineLoader.load(yaml: yaml, file: "bad.yaml")
            XCTFail("expected a refusal")
        } catch {
            XCTAssertEqual(error.diagnostics.map(\.field), ["source.kafka.startFrom", "parallelism"])
            XCTAssertEqual(error.description.split(separator: "\n").first.map(String.init),
                           "bad.yaml:2:40: error: source.kafka.startFrom: expected earliest or latest, found 'middle'")
        }
    }

    func testUnreadableFile() {
        XCTAssertThrowsError(try PipelineLoader.load(path: "/nonexistent/p.yaml")) { error in
            XCTAssertEqual((error as? PipelineError)?.first?.field, "(file)")
        }
    }
}
