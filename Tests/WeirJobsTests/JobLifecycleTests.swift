import XCTest
@testable import WeirJobs

/// Flink's job states and the moves between them (JobStatus's table).
final class JobLifecycleTests: XCTestCase {
    func testARunWithARestartThenACancel() throws {
        var job = JobLifecycle(nowMs: 100)
        XCTAssertEqual(job.status, .created)
        XCTAssertNil(job.startMs)
        try job.apply(.started, nowMs: 200)
        XCTAssertEqual(job.startMs, 200)
        try job.apply(.taskFailed(restartAllowed: true), nowMs: 300)
        XCTAssertEqual(job.status, .failing)
        try job.apply(.restarting, nowMs: 310)
        try job.apply(.started, nowMs: 400)
        XCTAssertEqual(job.status, .running)
        XCTAssertNil(job.endMs, "running: no end time")
        try job.apply(.cancelRequested, nowMs: 500)
        XCTAssertEqual(job.status, .cancelling)
        try job.apply(.cancelled, nowMs: 600)
        XCTAssertEqual(job.status, .canceled)
        XCTAssertEqual(job.endMs, 600)
        XCTAssertEqual(job.enteredMs[.created], 100)
    }

    func testFailureWithoutRestartAndTerminalStatesStay() throws {
        var job = JobLifecycle(nowMs: 0)
        try job.apply(.started, nowMs: 1)
        try job.apply(.taskFailed(restartAllowed: false), nowMs: 2)
        XCTAssertEqual(job.status, .failed)
        XCTAssertTrue(job.status.isTerminal)
        for event: JobLifecycle.Event in [.started, .cancelRequested, .cancelled, .finished, .restarting, .taskFailed(restartAllowed: true)] {
            XCTAssertThrowsError(try job.apply(event, nowMs: 3)) { error in
                XCTAssertEqual(error as? JobLifecycle.RefusedTransition, .init(from: .failed, event: event))
            }
        }
        XCTAssertEqual(job.status, .failed, "a refused move changes nothing")
        XCTAssertEqual(job.endMs, 2)
    }

    /// Every (status, event) pair against the table written out by hand.
    func testTheWholeTable() {
        let events: [JobLifecycle.Event] = [.started, .taskFailed(restartAllowed: true), .taskFailed(restartAllowed: false),
                                            .restarting, .failedForGood, .cancelRequested, .cancelled, .finished]
        let allowed: [JobStatus: [JobLifecycle.Event: JobStatus]] = [
            .created: [.started: .running, .failedForGood: .failed, .cancelRequested: .cancelling],
            .running: [.taskFailed(restartAllowed: true): .failing, .taskFailed(restartAllowed: false): .failed,
                       .cancelRequested: .cancelling, .finished: .finished],
            .failing: [.restarting: .restarting, .failedForGood: .failed, .cancelRequested: .cancelling],
            .restarting: [.started: .running, .failedForGood: .failed, .cancelRequested: .cancelling],
            .cancelling: [.cancelled: .canceled],
        ]
        for status in JobStatus.allCases {
            for event in events {
                XCTAssertEqual(JobLifecycle.next(status, event), allowed[status]?[event], "\(status) + \(event)")
            }
        }
    }

    func testStatusNamesAreFlinks() {
        XCTAssertEqual(JobStatus.allCases.map(\.rawValue),
                       ["CREATED", "RUNNING", "FAILING", "RESTARTING", "CANCELLING", "CANCELED", "FINISHED", "FAILED"])
    }
}

extension JobLifecycle.Event: Hashable {
    public func hash(into hasher: inout Hasher) { hasher.combine("\(self)") }
}
