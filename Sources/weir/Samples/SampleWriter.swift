import Glibc
import WeirEngine
import WeirKafka

/// Writes generated sample events to a topic with a plain idempotent producer.
enum SampleWriter {
    /// `ratePerSecond` > 0 paces the writes (in steps of 1/100 s), for tests that need input arriving while they run.
    static func write(count: Int, to topic: String, kafka: KafkaConfig, seed: UInt64 = 42, malformedEvery: Int = 200, users: Int = 10_000,
                      ratePerSecond: Int = 0, firstIndex: Int = 0, onEvent: (String, String) -> Void = { _, _ in }) throws {
        var config = kafka
        config.properties["enable.idempotence"] = "true"
        config.properties["linger.ms"] = "20"
        config.properties["queue.buffering.max.messages"] = "1000000"
        let producer = try KafkaProducer(config: config)
        let handle = try producer.topic(topic)
        var gen = SampleClicks(seed: seed, malformedEvery: malformedEvery, users: users, firstIndex: firstIndex)
        let started = monotonicNanos()
        let step = max(1, ratePerSecond / 100)
        for i in 0..<count {
            if ratePerSecond > 0 && i % step == 0 {
                let due = started + UInt64(i) * 1_000_000_000 / UInt64(ratePerSecond)
                let now = monotonicNanos()
                if due > now {
                    producer.poll(timeoutMs: 0)
                    usleep(useconds_t(min((due - now) / 1000, 1_000_000)))
                }
            }
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
