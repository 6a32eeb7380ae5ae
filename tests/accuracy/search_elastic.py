"""Catalog search on Elasticsearch: clients, per-request options, helpers, namespaced APIs."""

from elasticsearch import ApiError, Elasticsearch, NotFoundError, helpers

es = Elasticsearch("http://search:9200")  # expect: FM107
es_fast = Elasticsearch("http://search:9200", request_timeout=2)


def search(text: str) -> list[dict]:
    try:
        resp = es.search(index="products", query={"match": {"name": text}}, timeout="1s")
    except ApiError:
        return []
    return [hit["_source"] for hit in resp["hits"]["hits"]]


def product(pid: str) -> dict | None:
    try:
        return es_fast.get(index="products", id=pid)["_source"]  # NotFoundError only: ConnectionError escapes  # expect: FM103
    except NotFoundError:
        return None


def index(doc: dict) -> None:
    es_fast.options(request_timeout=5).index(index="products", id=doc["id"], document=doc)  # expect: FM103


def reindex(docs: list[dict]) -> None:
    helpers.bulk(es_fast, ({"_index": "products", "_source": d} for d in docs))  # expect: FM103


def refresh() -> None:
    es_fast.indices.refresh(index="products")  # expect: FM103


def count_unbounded() -> int:
    return es.options(request_timeout=None).count(index="products")["count"]  # expect: FM102, FM103
