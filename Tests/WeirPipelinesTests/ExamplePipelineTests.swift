import XCTest
@testable import WeirPipelines
import WeirEngine
import WeirFormats

/// pipelines/clean-clicks.yaml loads and does what its comments say.
final class ExamplePipelineTests: XCTestCase {
    func testCleanClicksLoadsAndRuns() throws {
        let path = repositoryRoot().appendingPathComponent("pipelines/clean-clicks.yaml").path
        let p = try PipelineLoader.load(path: path)
        let job = p.job
        XCTAssertEqual(job.name, "clean-clicks")
        XCTAssertEqual(job.source.topics, ["input-topic"])
        XCTAssertEqual(job.source.group, "clean-clicks")
        XCTAssertEqual(job.source.startFrom, .earliest)
        XCTAssertEqual(job.sink.topic, "output-topic")
        XCTAssertEqual(job.deadLetterTopic, "clicks-dlq")
        XCTAssertEqual(job.parallelism, 2)
        XCTAssertEqual(p.definition.steps.count, 4)

        let program = job.program
        let names = program.inputFields.map(\.description)
        XCTAssertEqual(names, ["event", "duration_ms", "page.host", "amount", "user_id"])
        guard case .edited(let removed, let append) = program.output else { return XCTFail("expected an edited output") }
        XCTAssertEqual(removed, ["debug", "page", "user_id", "user", "host", "amount_cents", "seconds"])
        XCTAssertEqual(append.map(\.name), ["host", "amount_cents", "seconds", "user"])

        // One click event as the decoder would fill the row.
        func row(event: String, duration: Int64, amount: Double) -> Row {
            var r = Row(slotCount: program.slotCount)
            r.cells[0] = .string(r.store(Array(event.utf8)))
            r.cells[1] = .int(duration)
            r.cells[2] = .string(r.store(Array("Shop.Example".utf8)))
            r.cells[3] = .double(amount)
            r.cells[4] = .string(r.store(Array("u42".utf8)))
            return r
        }
        func run(_ r: inout Row) throws -> Bool {
            for step in program.steps {
                switch step {
                case .filter(let e): if !(try e.evaluate(&r).isTrue) { return false }
                case .assign(let slot, let e): r.cells[slot] = try e.evaluate(&r)
                }
            }
            return true
        }
        var click = row(event: "click", duration: 1234, amount: 12.5)
        XCTAssertTrue(try run(&click))
        let out = Dictionary(uniqueKeysWithValues: append.map { ($0.name, click.cells[$0.slot]) })
        guard case .string(let host)? = out["host"] else { return XCTFail("host is not a string") }
        XCTAssertEqual(click.string(host), "shop.example")
        XCTAssertEqual(out["amount_cents"], .int(1250))
        XCTAssertEqual(out["seconds"], .double(1.234))
        guard case .string(let user)? = out["user"] else { return XCTFail("user is not a string") }
        XCTAssertEqual(click.string(user), "u42", "user_id renamed to user")
        guard let key = program.outputKey, case .string(let k) = try key.evaluate(&click) else { return XCTFail("no key") }
        XCTAssertEqual(click.string(k), "u42")

        var view = row(event: "view", duration: 10, amount: 0)
        XCTAssertFalse(try run(&view))
        var negative = row(event: "click", duration: -1, amount: 1)
        XCTAssertFalse(try run(&negative))
    }
}
