import WeirKafka

/// Writes generated sample events to a topic with a plain idempotent producer.
enum SampleWriter {
    static func write(count: Int, to topic: String, kafka: KafkaConfig, seed: UInt64 = 42, malformedEvery: Int = 200,
                      onEvent: (String, String) -> Void = { _, _ in }) throws {
        var config = kafka
        config.properties["enable.idempotence"] = "true"
        config.properties["linger.ms"] = "20"
        config.properties["queue.buffering.max.messages"] = "1000000"
        let producer = try KafkaProducer(config: config)
        let handle = try producer.topic(topic)
        var gen = SampleClicks(seed: seed, malformedEvery: malformedEvery)
        for i in 0..<count {
            var (key, value) = gen.nextEvent()
            onEvent(key, value)
            try key.withUTF8 { k in
                try value.withUTF8 { v in
                    try producer.produce(handle, key: UnsafeRawBufferPointer(k), value: UnsafeRawBufferPointer(v))
                }
            }
            if i & 1023 == 0 { producer.poll(timeoutMs: 0) }
        }
        try producer.flush(timeoutMs: 60_000)
        let stats = producer.deliveryStats
        if stats.failed > 0 {
            throw KafkaError.local("\(stats.failed) sample events were not delivered: \(stats.lastFailure.map { "\($0)" } ?? "unknown error")")
        }
    }
}
