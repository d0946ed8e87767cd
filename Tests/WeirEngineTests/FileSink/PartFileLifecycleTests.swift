import XCTest
@testable import WeirEngine

/// The part file state machine on its own: only closed files join a
/// checkpoint, only pending files become visible, and only once their
/// checkpoint (or a later one) committed; committed files are never discarded.
final class PartFileLifecycleTests: XCTestCase {
    func testTheCommitPath() throws {
        var f = PartFileLifecycle()
        XCTAssertEqual(f.state, .inProgress)
        XCTAssertTrue(f.isWritable)
        try f.close()
        XCTAssertEqual(f.state, .closed)
        XCTAssertFalse(f.isWritable)
        try f.assign(checkpoint: 7)
        XCTAssertEqual(f.state, .pending(checkpoint: 7))
        XCTAssertFalse(f.committed(checkpoint: 6), "an earlier checkpoint's commit does not cover it")
        XCTAssertEqual(f.state, .pending(checkpoint: 7))
        XCTAssertTrue(f.committed(checkpoint: 7))
        XCTAssertEqual(f.state, .committed(checkpoint: 7))
        XCTAssertFalse(f.committed(checkpoint: 8), "committed once")
    }

    func testALaterCommitCoversAnOlderPendingFile() throws {
        var f = PartFileLifecycle()
        try f.close()
        try f.assign(checkpoint: 3)
        XCTAssertTrue(f.committed(checkpoint: 9))
        XCTAssertEqual(f.state, .committed(checkpoint: 3))
    }

    func testInvalidTransitionsAreRefused() throws {
        var open = PartFileLifecycle()
        XCTAssertThrowsError(try open.assign(checkpoint: 1), "an open file cannot join a checkpoint")
        XCTAssertFalse(open.committed(checkpoint: 1), "an open file never becomes visible")
        XCTAssertEqual(open.state, .inProgress)

        var closed = PartFileLifecycle()
        try closed.close()
        XCTAssertThrowsError(try closed.close())
        XCTAssertFalse(closed.committed(checkpoint: 1), "a closed file in no checkpoint never becomes visible")

        var pending = PartFileLifecycle()
        try pending.close(); try pending.assign(checkpoint: 2)
        XCTAssertThrowsError(try pending.assign(checkpoint: 3), "a file belongs to one checkpoint")

        var done = PartFileLifecycle()
        try done.close(); try done.assign(checkpoint: 2)
        XCTAssertTrue(done.committed(checkpoint: 2))
        XCTAssertThrowsError(try done.discard(), "a visible file is never deleted by an abort")
        XCTAssertEqual(done.state, .committed(checkpoint: 2))
    }

    func testEveryUncommittedStateCanBeDiscarded() throws {
        var a = PartFileLifecycle()
        try a.discard()
        XCTAssertEqual(a.state, .discarded)
        var b = PartFileLifecycle()
        try b.close(); try b.discard()
        XCTAssertEqual(b.state, .discarded)
        var c = PartFileLifecycle()
        try c.close(); try c.assign(checkpoint: 4); try c.discard()
        XCTAssertEqual(c.state, .discarded)
        XCTAssertFalse(c.committed(checkpoint: 4), "a discarded file stays discarded")
        XCTAssertThrowsError(try c.close())
    }
}
