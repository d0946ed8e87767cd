import WeirEngine
import WeirFormats
import WeirKafka
import WeirPipelines

/// How a pipeline runs against Kafka under a service config: its job with
/// parallelism and schema registry settled, and the runtime (cluster,
/// instance, checkpoint interval, restart strategy). One place for `weir run`
/// and `weir serve`, so both read the config the same way.
public enum RunSettings {
    /// Flags given on the command line override the pipeline, which overrides the config.
    public struct Overrides: Sendable {
        public var parallelism: Int?
        public var checkpointIntervalMs: Int?
        public var schemaRegistryURL: String?
        public init(parallelism: Int? = nil, checkpointIntervalMs: Int? = nil, schemaRegistryURL: String? = nil) {
            self.parallelism = parallelism; self.checkpointIntervalMs = checkpointIntervalMs; self.schemaRegistryURL = schemaRegistryURL
        }
    }

    /// The cluster of the service config (bootstrap servers and librdkafka properties).
    public static func kafka(_ service: ServiceConfig) -> KafkaConfig {
        var kafka = KafkaConfig(bootstrapServers: service.kafka.bootstrapServers)
        kafka.properties = service.kafka.properties
        return kafka
    }

    public static func make(_ p: Pipeline, service: ServiceConfig, overrides: Overrides = .init()) -> (spec: JobSpec, runtime: RuntimeConfig) {
        var spec = p.job
        spec.parallelism = overrides.parallelism ?? p.definition.parallelism ?? service.parallelism
        // The pipeline's own registry, else the flag's, else the service config's
        // (config/weir.yaml's schemaRegistry, its url overridden by WEIR_SCHEMA_REGISTRY_URL).
        if spec.formats.registry == nil,
           let registry = overrides.schemaRegistryURL.map({ SchemaRegistryConfig(url: $0) }) ?? service.schemaRegistry {
            spec.formats.registry = registry
        }
        let kafka = Self.kafka(service)
        var runtime = RuntimeConfig(kafka: kafka, instanceID: service.instanceID)
        runtime.checkpointIntervalMs = CheckpointInterval.resolve(flagMs: overrides.checkpointIntervalMs,
                                                                  pipelineMs: p.definition.checkpointIntervalMs, service: service)
        // librdkafka uses the property when it is set; the start-up check must see the same value.
        if let t = kafka.properties["transaction.timeout.ms"].flatMap({ Int($0) }) { runtime.transactionTimeoutMs = t }
        if let r = p.definition.restart { runtime.restart = r }
        return (spec, runtime)
    }
}
