import Foundation
import WeirEngine

/// Prints a job's progress once a second while it runs (for `weir dev`).
struct ProgressReporter {
    let job: Job
    let expected: Int?

    func line(elapsed: Double, previous: Int, interval: Double) -> String {
        let m = job.metrics
        let rate = interval > 0 ? Double(m.processed - previous) / interval : 0
        let total = expected.map { "/\($0)" } ?? ""
        return "  \(m.processed)\(total) processed · \(m.emitted) out · \(m.filtered) filtered · \(m.deadLettered) dead-lettered · \(Int(rate)) rec/s · \(m.commits) commits"
    }
}
