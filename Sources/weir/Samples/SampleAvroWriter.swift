import Foundation
import WeirFormats
import WeirKafka

/// `weir dev --generate` for Avro sources: the sample clicks as Confluent-framed
/// Avro (schema `pipelines/schemas/click.avsc`, registered under
/// `<topic>-value`), the malformed ones as truncated Avro records.
enum SampleAvroWriter {
    static func write(count: Int, to topic: String, kafka: KafkaConfig, registry: SchemaRegistryClient, seed: UInt64 = 42) throws {
        let schema = try AvroSchema(parsing: clickSchema)
        let id = UInt32(try registry.registerBlocking(subject: "\(topic)-value", schema: clickSchema))
        var config = kafka
        config.properties["enable.idempotence"] = "true"
        config.properties["linger.ms"] = "20"
        let producer = try KafkaProducer(config: config)
        let handle = try producer.topic(topic)
        var gen = SampleClicks(seed: seed)
        var last: [UInt8] = ConfluentFrame.header(schemaID: id)
        for i in 0..<count {
            let (key, json) = gen.nextEvent()
            var value: [UInt8]
            if let v = try? JSONValue.parse(json), let encoded = AvroRowEncoder.encode(json: v, schema: schema, schemaID: id) {
                value = encoded
                last = encoded
            } else {
                value = Array(last.prefix(max(ConfluentFrame.headerSize + 1, last.count / 2)))   // cut short on purpose
            }
            try Array(key.utf8).withUnsafeBytes { k in
                try value.withUnsafeBytes { v in try producer.produce(handle, key: k, value: v) }
            }
            if i & 1023 == 0 { producer.poll(timeoutMs: 0) }
        }
        try producer.flush(timeoutMs: 60_000)
        if producer.deliveryStats.failed > 0 { throw KafkaError.local("\(producer.deliveryStats.failed) sample events were not delivered") }
    }

    /// The sample's writer schema (the same as pipelines/schemas/click.avsc, kept here so the binary needs no file).
    static let clickSchema = #"{"type":"record","name":"Click","namespace":"weir.examples","fields":[{"name":"event","type":"string"},{"name":"user_id","type":"string"},{"name":"country","type":"string","default":""},{"name":"page","type":{"type":"record","name":"Page","fields":[{"name":"url","type":"string"},{"name":"host","type":"string"}]}},{"name":"duration_ms","type":"long"},{"name":"amount","type":"double"},{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"debug","type":["null",{"type":"record","name":"Debug","fields":[{"name":"trace","type":"string"}]}],"default":null}]}"#
}
