import Foundation
import WeirEngine

/// The line `weir run` prints to stderr when a file job ends.
enum FileRunSummary {
    static func line(_ spec: JobSpec, _ s: FileJob.Summary) -> String {
        let files = spec.source.files ?? []
        let from = files.count == 1 ? (files[0] == "-" ? "stdin" : files[0]) : "\(files.count) files"
        let to: String
        switch spec.sink.kind {
        case .file(let path): to = "written to \(path)"
        case .stdout: to = "written to stdout"
        case .discard: to = "discarded"
        case .kafka(let t): to = "written to \(t)"
        case .files(let f): to = "written as \(f.format.rawValue) files under \(f.path)"
        }
        let rate = s.seconds > 0 ? Double(s.records) / s.seconds : 0
        var text = String(format: "weir run: %@: %d records from %@ in %.3f s (%.0f records/s) · %d %@ · %d filtered · %d dead-lettered",
                          spec.name, s.records, from, s.seconds, rate, s.emitted, to, s.filtered, s.deadLettered)
        if let d = spec.deadLetter?.file, s.deadLettered > 0 { text += " (to \(d))" }
        if spec.stateful != nil {
            text += " · \(s.late) late"
            if let l = spec.stateful?.lateData?.file, s.late > 0 { text += " (to \(l))" }
        }
        if let p = s.pattern {
            text += " · pattern: \(p.matches) matches, \(p.timedOut) timed out, \(p.droppedPartialMatches) partial matches dropped by the cap, at most \(s.peakPartialMatches) partial matches alive (sampled)"
        }
        if s.stopped { text += " · stopped before the end of the input" }
        return text
    }
}
