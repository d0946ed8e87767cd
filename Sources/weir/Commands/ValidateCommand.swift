import ArgumentParser
import WeirEngine
import WeirJobs
import WeirPipelines

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check a pipeline file; print every error with file:line:column.")

    @Argument(help: "The pipeline file (YAML).") var pipeline: String

    func run() throws {
        let p = try loadPipelineOrExit(pipeline)
        print("\(pipeline): ok (job \(p.job.name): \(JobDescription.flow(p)))")
    }
}
