#!/usr/bin/env python3
"""Confluent's own client on both ends of an Avro pipeline (tests/integration/avro-registry.sh).

produce: JSON-lines click events (as weir generate writes them; malformed lines
         skipped) -> Confluent-framed Avro with AvroSerializer, keyed by user_id,
         the schema registered under <topic>-value.
consume: every committed record of a topic (isolation.level=read_committed)
         decoded with AvroDeserializer (writer schema from the registry), printed
         as key<TAB>JSON like `weir consume`, with timestamp-millis fields as epoch
         milliseconds and the double `amount` rounded to cents (the inputs are cents).

usage: avro_io.py produce --bootstrap BS --registry URL --topic T --schema FILE EVENTS.jsonl
       avro_io.py consume --bootstrap BS --registry URL --topic T [--idle-ms MS]
"""
import argparse
import datetime
import json
import sys
import time
import uuid

from confluent_kafka import DeserializingConsumer, KafkaError, SerializingProducer
from confluent_kafka.error import ConsumeError
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import StringDeserializer, StringSerializer

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def produce(args):
    registry = SchemaRegistryClient({"url": args.registry})
    schema = open(args.schema).read()
    producer = SerializingProducer({
        "bootstrap.servers": args.bootstrap,
        "key.serializer": StringSerializer("utf_8"),
        "value.serializer": AvroSerializer(registry, schema),
        "enable.idempotence": True,
    })
    n = skipped = 0
    with open(args.events) as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                skipped += 1      # malformed on purpose; the reference skips it too
                continue
            producer.produce(args.topic, key=e["user_id"], value=e)
            n += 1
            if n % 10000 == 0:
                producer.flush()
    producer.flush()
    print(f"avro_io: wrote {n} Avro events to {args.topic} ({skipped} malformed lines skipped)", file=sys.stderr)


def plain(v):
    if isinstance(v, datetime.datetime):
        return (v - EPOCH) // datetime.timedelta(milliseconds=1)
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    return v


def consume(args):
    registry = SchemaRegistryClient({"url": args.registry})
    consumer = DeserializingConsumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": f"avro-io-{uuid.uuid4()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
        "enable.partition.eof": True,
        "key.deserializer": StringDeserializer("utf_8"),
        "value.deserializer": AvroDeserializer(registry),
    })
    consumer.subscribe([args.topic])
    last, eof, assigned, n = time.time(), set(), None, 0
    while True:
        try:
            msg = consumer.poll(0.5)
        except ConsumeError as e:      # DeserializingConsumer raises what poll() returns as errors
            if e.code != KafkaError._PARTITION_EOF:
                raise SystemExit(f"avro_io: {e}")
            eof.add(e.kafka_message.partition())
            assigned = assigned or len(consumer.assignment())
            if assigned and len(eof) >= assigned and time.time() - last > 1:
                break
            continue
        if msg is None:
            if time.time() - last > args.idle_ms / 1000:
                break
            continue
        value = plain(msg.value())
        if isinstance(value.get("amount"), float):
            value["amount"] = round(value["amount"], 2)
        print(f"{msg.key() or ''}\t{json.dumps(value)}")
        n += 1
        last = time.time()
        eof.discard(msg.partition())
    consumer.close()
    print(f"avro_io: read {n} Avro records from {args.topic}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("produce")
    c = sub.add_parser("consume")
    for s in (p, c):
        s.add_argument("--bootstrap", required=True)
        s.add_argument("--registry", required=True)
        s.add_argument("--topic", required=True)
    p.add_argument("--schema", required=True)
    p.add_argument("events")
    c.add_argument("--idle-ms", type=int, default=5000)
    args = ap.parse_args()
    produce(args) if args.cmd == "produce" else consume(args)


if __name__ == "__main__":
    main()
