import Foundation
import Synchronization

/// Runs one checkpoint's blocking commit (send offsets + `commit_transaction`)
/// on its own thread, so the task thread goes back to processing records while
/// the broker acknowledges: the checkpoint pause is then the snapshot alone
/// (Flink's asynchronous checkpoint phase, for the commit).
///
/// One commit at a time. The task thread hands work over with `start` and
/// collects the outcome with `poll` (non-blocking) or `wait`; the semaphores
/// order every memory access of the work before the outcome is read.
final class CommitWorker: @unchecked Sendable {
    private let work = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private var job: (() throws -> Void)?
    private var outcome: Result<Void, Error>?
    private let stopping = Atomic<Bool>(false)
    private var thread: Thread?
    /// A commit was started and its outcome not collected yet.
    private(set) var busy = false

    init(name: String) {
        let t = Thread { [unowned self] in self.loop() }
        t.name = name
        thread = t
        t.start()
    }

    private func loop() {
        while true {
            work.wait()
            if stopping.load(ordering: .acquiring) { return }
            let j = job
            job = nil
            do { try j?(); outcome = .success(()) } catch { outcome = .failure(error) }
            done.signal()
        }
    }

    /// Starts `commit` on the worker thread. The caller collects the previous
    /// outcome first (`wait`); a commit started while one runs is refused.
    @discardableResult
    func start(_ commit: @escaping () throws -> Void) -> Bool {
        guard !busy else { return false }
        busy = true
        job = commit
        work.signal()
        return true
    }

    /// The outcome if the commit has finished (then no longer `busy`), else nil.
    func poll() -> Result<Void, Error>? {
        guard busy, done.wait(timeout: .now()) == .success else { return nil }
        return collect()
    }

    /// Blocks until the running commit (if any) has finished; nil if none was running.
    func wait() -> Result<Void, Error>? {
        guard busy else { return nil }
        done.wait()
        return collect()
    }

    private func collect() -> Result<Void, Error>? {
        busy = false
        defer { outcome = nil }
        return outcome
    }

    /// Ends the thread (after `wait` if a commit is running).
    func shutdown() {
        _ = wait()
        stopping.store(true, ordering: .releasing)
        work.signal()
    }
}
