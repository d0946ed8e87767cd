#!/usr/bin/env python3
"""Confluent's own Python client against Weir's embedded broker and registry.

  produce-avro BOOTSTRAP REGISTRY TOPIC SCHEMA_FILE N EXPECTED_JSONL
  consume-avro BOOTSTRAP REGISTRY TOPIC N            (records as JSON lines on stdout)
  produce-json BOOTSTRAP REGISTRY TOPIC SCHEMA_FILE N EXPECTED_JSONL
  consume-json BOOTSTRAP REGISTRY TOPIC N
  consume-avro-rows BOOTSTRAP REGISTRY TOPIC N       (window/reduce rows: timestamps as epoch millis)

Avro values are written/printed in a plain JSON form: bytes and fixed as strings of
code points 0-255 (Avro's JSON encoding), decimals as strings, dates as days,
timestamps as epoch millis/micros.
"""
import datetime
import decimal
import json
import sys
import time
import uuid

from confluent_kafka import DeserializingConsumer, SerializingProducer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import StringDeserializer, StringSerializer

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def avro_record(i):
    return {
        "id": i,
        "name": "name-%d-\u00e9\u00df\U0001F600\"\\" % i,
        "small": -i if i % 2 else i * 1000,
        "ratio": i * 0.25,
        "score": i / 3.0,
        "active": i % 2 == 0,
        "nick": None if i % 3 == 0 else "nick%d" % i,
        "color": ["RED", "GREEN", "BLUE"][i % 3],
        "address": {"city": "city%d" % (i % 7), "zip": None if i % 4 == 0 else 10000 + i},
        "tags": ["t%d" % j for j in range(i % 4)],
        "counts": {"k%d" % j: j * i for j in range(i % 3)},
        "blob": bytes([(i + j) % 256 for j in range(i % 6)]),
        "hash": bytes([i % 256, 0, 255, 34]),
        "price": decimal.Decimal(i * 137 - 5000) / 100,
        "birthday": datetime.date(1970, 1, 1) + datetime.timedelta(days=i * 11),
        "created": EPOCH + datetime.timedelta(milliseconds=1764064800123 + i),
        "updated": EPOCH + datetime.timedelta(microseconds=1764064800123456 + i),
    }


def plain(v):
    """Avro value (as fastavro gives it) -> plain JSON form."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, (bytes, bytearray)):
        return "".join(chr(b) for b in v)
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, datetime.datetime):
        delta = v - EPOCH
        return (delta.days * 86400 + delta.seconds) * 1000000 + delta.microseconds
    if isinstance(v, datetime.date):
        return (v - datetime.date(1970, 1, 1)).days
    return v


def plain_rows(v):
    """A result row: timestamp-millis fields (datetimes) as epoch millis."""
    out = {}
    for k, x in v.items():
        if isinstance(x, datetime.datetime):
            delta = x - EPOCH
            out[k] = (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000
        else:
            out[k] = plain(x)
    return out


def plain_avro(v):
    out = plain(v)
    out["created"] //= 1000          # timestamp-millis: printed in millis
    return out


def produce(kind, bootstrap, registry, topic, schema_file, n, expected_path):
    client = SchemaRegistryClient({"url": registry})
    schema = open(schema_file).read()
    if kind == "avro":
        serializer = AvroSerializer(client, schema)
        make = avro_record
    else:
        serializer = JSONSerializer(schema, client)
        make = lambda i: {"sensor": "s%d" % (i % 5), "reading": i * 1.5, "ok": i % 2 == 0, "n": i}
    producer = SerializingProducer({"bootstrap.servers": bootstrap, "key.serializer": StringSerializer(),
                                    "value.serializer": serializer})
    with open(expected_path, "w") as out:
        for i in range(n):
            value = make(i)
            producer.produce(topic, key="k%d" % i, value=value)
            out.write(json.dumps(plain_avro(value) if kind == "avro" else value) + "\n")
            producer.poll(0)
    left = producer.flush(30)
    if left:
        sys.exit("%d records not delivered" % left)


def consume(kind, bootstrap, registry, topic, n, rows=False):
    client = SchemaRegistryClient({"url": registry})
    if kind == "avro":
        deserializer = AvroDeserializer(client)
    else:
        # JSONDeserializer validates against a given schema: the subject's latest.
        deserializer = JSONDeserializer(client.get_latest_version(topic + "-value").schema.schema_str)
    consumer = DeserializingConsumer({"bootstrap.servers": bootstrap, "group.id": "py-" + uuid.uuid4().hex,
                                      "auto.offset.reset": "earliest", "isolation.level": "read_committed",
                                      "key.deserializer": StringDeserializer(), "value.deserializer": deserializer})
    consumer.subscribe([topic])
    got = 0
    deadline = time.time() + 60
    while got < n and time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            sys.exit("consume error: %s" % msg.error())
        value = msg.value()
        if rows:
            value = plain_rows(value)
        elif kind == "avro":
            value = plain_avro(value)
        print(json.dumps(value), flush=True)
        got += 1
    consumer.close()
    if got < n:
        sys.exit("only %d of %d records" % (got, n))


if __name__ == "__main__":
    cmd = sys.argv[1]
    kind = "avro" if "avro" in cmd else "json"
    if cmd.startswith("produce"):
        produce(kind, sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]), sys.argv[7])
    else:
        consume(kind, sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), rows=cmd == "consume-avro-rows")
