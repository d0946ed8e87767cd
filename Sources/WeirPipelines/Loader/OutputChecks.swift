/// Where a job writes, checked against where it reads: Kafka jobs write to
/// topics (their output commits with their input offsets), file jobs to
/// files; and no job writes where it reads, nor mixes two outputs in one place.
enum OutputChecks {
    static func check(_ source: SourceDefinition, _ sink: SinkDefinition, deadLetter: DestinationDefinition?,
                      lateData: DestinationDefinition?, _ reader: inout YAMLReader) {
        if case .files(let files) = sink.kind {
            checkFilesSink(source, files, deadLetter: deadLetter, lateData: lateData, &reader)
            return
        }
        switch source.kind {
        case .kafka(let input):
            guard case .kafka(let output) = sink.kind else {
                reader.append(sink.location.diagnostic(
                    "a Kafka source writes to a Kafka sink or a files sink (their output commits together with the input offsets); file, stdout and discard sinks are for a file source"))
                return
            }
            for (d, name) in [(deadLetter, "deadLetter"), (lateData, "lateData")] {
                if case .file(let f)? = d {
                    reader.append(f.location.diagnostic("a Kafka job writes \(name) to a topic: use '\(name): {topic: …}'"))
                }
            }
            checkTopics(Set(input.topics.map(\.value)), output.topic, deadLetter?.topic, lateData?.topic, &reader)
        case .file(let input):
            if case .kafka(let k) = sink.kind {
                reader.append(k.topic.location.diagnostic(
                    "a file source writes to a file, stdout or discard sink; a Kafka sink needs a Kafka source (for now)"))
                return
            }
            for (d, name) in [(deadLetter, "deadLetter"), (lateData, "lateData")] {
                if case .topic(let t)? = d {
                    reader.append(t.location.diagnostic("a file job writes \(name) to a file: use '\(name): {file: path}'"))
                }
            }
            checkFiles(input.paths, sink, deadLetter, lateData, &reader)
        }
    }

    /// A files sink takes either source: with Kafka its part files commit with
    /// the checkpoint's transaction (dead letters and late data stay topics);
    /// with files it writes them at the end of the input.
    private static func checkFilesSink(_ source: SourceDefinition, _ files: FilesSinkDefinition, deadLetter: DestinationDefinition?,
                                       lateData: DestinationDefinition?, _ reader: inout YAMLReader) {
        switch source.kind {
        case .kafka(let input):
            for (d, name) in [(deadLetter, "deadLetter"), (lateData, "lateData")] {
                if case .file(let f)? = d {
                    reader.append(f.location.diagnostic("a Kafka job writes \(name) to a topic: use '\(name): {topic: …}'"))
                }
            }
            // Part files are kept per input partition number: two topics would share them.
            if input.topics.count > 1, let second = input.topics.dropFirst().first {
                reader.append(second.location.diagnostic("a files sink reads one Kafka topic (its part files are kept per input partition); found \(input.topics.count)"))
            }
            let inputs = Set(input.topics.map(\.value))
            if let d = deadLetter?.topic, inputs.contains(d.value) {
                reader.append(d.location.diagnostic("the dead-letter topic '\(d.value)' is also a source topic"))
            }
            if let l = lateData?.topic, inputs.contains(l.value) {
                reader.append(l.location.diagnostic("the late-data topic '\(l.value)' is also a source topic"))
            }
        case .file(let input):
            for (d, name) in [(deadLetter, "deadLetter"), (lateData, "lateData")] {
                if case .topic(let t)? = d {
                    reader.append(t.location.diagnostic("a file job writes \(name) to a file: use '\(name): {file: path}'"))
                }
            }
            if files.path.value == "-" {
                reader.append(files.path.location.diagnostic("a files sink writes under a directory, not to stdout"))
            }
            let dir = files.path.value.hasSuffix("/") ? files.path.value : files.path.value + "/"
            for i in input.paths where i.value == files.path.value || i.value.hasPrefix(dir) {
                reader.append(i.location.diagnostic("the input '\(i.value)' is inside the files sink's directory '\(files.path.value)'"))
            }
        }
    }

    /// A job that writes to a topic it reads would feed on its own output.
    private static func checkTopics(_ inputs: Set<String>, _ output: Located<String>, _ deadLetter: Located<String>?,
                                    _ lateData: Located<String>?, _ reader: inout YAMLReader) {
        if inputs.contains(output.value) {
            reader.append(output.location.diagnostic(
                "the sink topic '\(output.value)' is also a source topic; the job would read its own output"))
        }
        if let d = deadLetter {
            if inputs.contains(d.value) {
                reader.append(d.location.diagnostic("the dead-letter topic '\(d.value)' is also a source topic"))
            } else if d.value == output.value {
                reader.append(d.location.diagnostic("the dead-letter topic '\(d.value)' is also the sink topic; failed records would mix with results"))
            }
        }
        if let l = lateData {
            if inputs.contains(l.value) {
                reader.append(l.location.diagnostic("the late-data topic '\(l.value)' is also a source topic"))
            } else if l.value == output.value {
                reader.append(l.location.diagnostic("the late-data topic '\(l.value)' is also the sink topic; late records would mix with results"))
            } else if l.value == deadLetter?.value {
                reader.append(l.location.diagnostic("the late-data topic '\(l.value)' is also the dead-letter topic"))
            }
        }
    }

    /// Outputs are truncated at start: one that is an input would destroy it.
    private static func checkFiles(_ inputs: [Located<String>], _ sink: SinkDefinition, _ deadLetter: DestinationDefinition?,
                                   _ lateData: DestinationDefinition?, _ reader: inout YAMLReader) {
        var outputs: [(path: String, what: String, location: SourceLocation)] = []
        switch sink.kind {
        case .file(let f): outputs.append((f.value == "-" ? "(stdout)" : f.value, "the sink", f.location))
        case .stdout: outputs.append(("(stdout)", "the sink", sink.location))
        case .kafka, .discard, .files: break
        }
        if case .file(let f)? = deadLetter { outputs.append((f.value == "-" ? "(stdout)" : f.value, "the dead-letter file", f.location)) }
        if case .file(let f)? = lateData { outputs.append((f.value == "-" ? "(stdout)" : f.value, "the late-data file", f.location)) }
        let inputPaths = Set(inputs.map(\.value))
        for (i, o) in outputs.enumerated() {
            if inputPaths.contains(o.path) {
                reader.append(o.location.diagnostic("\(o.what) '\(o.path)' is also an input file; it would be overwritten"))
            } else if let earlier = outputs[..<i].first(where: { $0.path == o.path }) {
                reader.append(o.location.diagnostic("\(o.what) is \(o.path), as is \(earlier.what); give each its own file"))
            }
        }
    }
}
