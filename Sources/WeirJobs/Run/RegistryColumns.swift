import WeirEngine
import WeirFormats
import WeirPipelines

/// The Parquet columns of a stateless pipeline whose Avro source schema only
/// the schema registry knows: at job start, before any task runs, the latest
/// schema of the source's subject is read and the pipeline compiled again
/// with it as its reader schema (`source.schema`), so the columns, the
/// decoder's projection and its reader-schema resolution are exactly those of
/// a pipeline that declared that schema. Here (not in the compiler) because
/// compiling must not need the network (`weir validate`, tests), and here
/// (not in the task) because the columns must be fixed before the first
/// record: `weir run`, `weir dev` and `weir serve` all start jobs through
/// `PipelineJobs`, which calls this. docs/parquet.md, "Columns".
public enum RegistryColumns {
    /// `spec` with its files sink's columns taken from the registry; `spec`
    /// itself when it needs none. Throws a message naming the subject and the fix.
    public static func resolve(_ pipeline: Pipeline, _ spec: JobSpec) throws(PipelineJobsError) -> JobSpec {
        guard let subject = spec.sink.files?.columnsFromSubject else { return spec }
        let fix = "declare the Parquet columns (sink.files.columns) or the source's Avro schema (source.schema) in \(pipeline.definition.file)"
        guard let config = spec.formats.registry else {
            throw PipelineJobsError("the files sink takes its Parquet columns from the schema registry's subject \(subject), but no schema registry is configured; configure one (schemaRegistry) or \(fix)")
        }
        let registered: RegisteredSchema
        do {
            registered = try SchemaRegistryClients.shared(config).latestBlocking(subject: subject)
        } catch {
            throw PipelineJobsError("the files sink takes its Parquet columns from the latest schema of subject \(subject) at \(config.url), which could not be read (\(error)); make the subject exist there, or \(fix)")
        }
        let schema: AvroSchema
        do { schema = try AvroSchema(parsing: registered.schema) } catch {
            throw PipelineJobsError("subject \(subject) (schema id \(registered.id)) holds no Avro schema this pipeline can read (\(error)); \(fix)")
        }
        var definition = pipeline.definition
        definition.formats.readerSchema = schema
        let compiled: CompiledPipeline
        do { compiled = try PipelineCompiler.compile(definition, defaultParallelism: spec.parallelism) } catch {
            throw PipelineJobsError("with the latest schema of subject \(subject) (id \(registered.id)) as its reader schema, the pipeline does not compile: \(error)")
        }
        // The settings the caller settled (RunSettings, weir dev) stay.
        var resolved = compiled.job
        resolved.parallelism = spec.parallelism
        resolved.formats.registry = spec.formats.registry
        resolved.formats.inProcessRegistry = spec.formats.inProcessRegistry
        return resolved
    }
}
