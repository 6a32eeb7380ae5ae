"""Celery tasks: autoretry_for covering the family handles it; one that does not, does not."""

import requests
from celery import shared_task

from .services.tags import count, remove_tag

SYNC = "https://sync.example.com"


@shared_task(autoretry_for=(requests.RequestException,), max_retries=3)
def cleanup(item: str, tag: str) -> None:
    remove_tag(item, tag)


@shared_task(autoretry_for=(requests.RequestException,), retry_backoff=True)
def recount(item: str) -> int:
    return count(item)


@shared_task(bind=True, max_retries=3)
def resync(self, item: str) -> None:
    try:
        requests.post(f"{SYNC}/items/{item}", timeout=5)
    except requests.RequestException as exc:
        raise self.retry(exc=exc)


@shared_task(autoretry_for=(ValueError,))
def export(item: str) -> None:
    requests.post(f"{SYNC}/export/{item}", timeout=5)  # ValueError is not a requests failure  # expect: FM103
