"""Media service on AWS: S3 uploads, SQS notifications, DynamoDB metadata."""

import boto3
import botocore.exceptions
from botocore.config import Config

FAST = Config(connect_timeout=1, read_timeout=3, retries={"max_attempts": 2})
RETRIES_ONLY = Config(retries={"max_attempts": 5, "mode": "adaptive"})
NEVER = Config(connect_timeout=None, read_timeout=None)

s3 = boto3.client("s3")  # expect: FM107
sqs = boto3.client("sqs", config=FAST)
dynamo = boto3.resource("dynamodb", config=RETRIES_ONLY)  # expect: FM107
stuck = boto3.client("sns", config=NEVER)  # expect: FM102
session = boto3.Session(profile_name="media")
events = session.client("events", config=NEVER)  # expect: FM102
kms = session.client("kms", region_name="eu-west-1")  # expect: FM107
logs = session.client("logs", config=FAST)


def upload(key: str, body: bytes) -> None:
    s3.put_object(Bucket="media", Key=key, Body=body)  # expect: FM103


def presign(key: str) -> str:
    return s3.generate_presigned_url("get_object", Params={"Bucket": "media", "Key": key})


def notify(key: str) -> None:
    try:
        sqs.send_message(QueueUrl="https://sqs.eu-west-1.amazonaws.com/1/media", MessageBody=key)
    except botocore.exceptions.ClientError:
        pass


def announce(key: str) -> None:
    try:
        stuck.publish(TopicArn="arn:aws:sns:eu-west-1:1:media", Message=key)
        events.put_events(Entries=[{"Source": "media", "Detail": key}])
        logs.put_log_events(logGroupName="media", logStreamName="api", logEvents=[])
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
        pass


def decrypt(blob: bytes) -> bytes:
    return kms.decrypt(CiphertextBlob=blob)["Plaintext"]  # expect: FM103


def metadata(key: str) -> dict:
    table = dynamo.Table("media")
    return table.get_item(Key={"key": key}).get("Item", {})  # expect: FM103


def thumbnail(key: str, path: str) -> None:
    try:
        bucket = boto3.resource("s3", config=FAST).Bucket("thumbnails")
        bucket.upload_file(path, key)  # expect: FM103
    except OSError:  # ClientError and EndpointConnectionError are not OSErrors
        pass
