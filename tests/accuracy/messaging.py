"""Order events: RabbitMQ (pika) for commands, Kafka for the event log."""

import json

import pika
from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError

RABBIT = pika.ConnectionParameters(host="rabbit", blocked_connection_timeout=30, socket_timeout=5)


def publish_command(command: dict) -> None:
    connection = pika.BlockingConnection(pika.ConnectionParameters(host="rabbit"))  # expect: FM103, FM107
    channel = connection.channel()  # expect: FM103
    channel.basic_publish(exchange="", routing_key="commands", body=json.dumps(command))  # expect: FM103
    connection.close()


def publish_safely(command: dict) -> bool:
    try:
        with pika.BlockingConnection(RABBIT) as connection:
            channel = connection.channel()
            channel.queue_declare(queue="commands", durable=True)
            channel.basic_publish(exchange="", routing_key="commands", body=json.dumps(command))
    except pika.exceptions.AMQPError:
        return False
    return True


producer = KafkaProducer(bootstrap_servers="kafka:9092", request_timeout_ms=5000, value_serializer=str.encode)  # expect: FM103


def emit(event: dict) -> None:
    try:
        producer.send("orders", json.dumps(event)).get(timeout=10)
    except KafkaError:
        pass


def emit_fast(event: dict) -> None:
    producer.send("orders", json.dumps(event))  # expect: FM103


def consume() -> None:
    consumer = KafkaConsumer("orders", bootstrap_servers="kafka:9092", group_id="billing")  # expect: FM103, FM107
    while True:
        batch = consumer.poll(timeout_ms=1000)  # expect: FM103
        for records in batch.values():
            for record in records:
                print(record.value)
