"""Vendor SDKs: SMS, mail, object storage, search and Kafka, as services call them."""

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from google.api_core.exceptions import GoogleAPIError
from google.cloud import storage
from minio import Minio
from minio.error import S3Error
from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException
from sendgrid import SendGridAPIClient
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

sms = Client("AC123", "token")  # expect: FM101
sms_bounded = Client("AC123", "token", http_client=TwilioHttpClient(timeout=5))
mail = SendGridAPIClient(api_key="SG.x")  # expect: FM101
objects = Minio("minio:9000", access_key="k", secret_key="s")  # expect: FM107
search = OpenSearch(hosts=["https://search:9200"])  # expect: FM107
search_bounded = OpenSearch(hosts=["https://search:9200"], timeout=3)
gcs = storage.Client()


def text(to: str, body: str) -> None:
    try:
        sms_bounded.messages.create(to=to, from_="+15550100", body=body)
    except TwilioRestException:
        pass
    sms.messages.create(to=to, from_="+15550100", body=body)  # expect: FM103


def welcome(message: object) -> None:
    mail.send(message)  # expect: FM103


def avatar(key: str) -> bytes | None:
    try:
        return objects.get_object("avatars", key).read()
    except S3Error:
        return None


def find(query: dict) -> list:
    try:
        hits = search_bounded.search(index="products", body=query)
    except OpenSearchException:
        return []
    search.indices.refresh(index="products")  # expect: FM103
    return hits["hits"]["hits"]


def archive(name: str, data: bytes) -> None:
    blob = gcs.bucket("archive").blob(name)
    try:
        blob.upload_from_string(data, timeout=10)
        blob.reload()  # expect: FM107
    except GoogleAPIError:
        return


async def publish(event: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers="kafka:9092", request_timeout_ms=5000)
    try:
        await producer.start()
        await producer.send_and_wait("events", event)
    except KafkaError:
        return
    await producer.stop()  # expect: FM103


# Stripe: module-level calls use the process-wide default HTTP client (80 s).
import stripe  # noqa: E402

payments = stripe.StripeClient("sk_test")  # expect: FM107
payments_bounded = stripe.StripeClient("sk_test", http_client=stripe.RequestsClient(timeout=10))


def charge(order_id: str, total: int) -> object:
    try:
        return stripe.PaymentIntent.create(amount=total, currency="eur", idempotency_key=order_id)  # expect: FM107
    except stripe.StripeError:
        return None


def refund(charge_id: str) -> None:
    stripe.Refund.create(charge=charge_id)  # expect: FM103, FM107


def customer(customer_id: str, payload: str, signature: str) -> object:
    event = payments.construct_event(payload, signature, "whsec")
    try:
        return payments_bounded.v1.customers.retrieve(customer_id), event
    except stripe.StripeError:
        return None


# confluent-kafka: blocking methods take their own timeout.
from confluent_kafka import Consumer, KafkaException, Producer  # noqa: E402

events = Producer({"bootstrap.servers": "kafka:9092"})
orders = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "shop"})


def drain() -> None:
    try:
        events.flush()  # expect: FM101
        events.flush(5)
    except KafkaException:
        return


def next_order() -> object:
    try:
        return orders.poll(timeout=1.0)
    except KafkaException:
        return orders.poll()  # expect: FM101, FM103


# dnspython: a resolution is bounded by the resolver's lifetime, 5 s unless given.
import dns.exception  # noqa: E402
import dns.resolver  # noqa: E402


def mail_hosts(domain: str) -> list[str]:
    try:
        answer = dns.resolver.resolve(domain, "MX")  # expect: FM107
        fast = dns.resolver.resolve(domain, "A", lifetime=1.5)
    except dns.exception.DNSException:
        return []
    return [str(r) for r in answer] + [str(r) for r in fast]
