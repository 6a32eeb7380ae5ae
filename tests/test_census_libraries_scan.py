"""The census's libraries (docs/census.md) as the scan sees them: a service's calls found and
judged by the real CLI, one project per library, each line's findings asserted with their
messages (FM101 where the library waits forever, FM107 where its own default bounds the call,
FM103 where nothing handles the library's errors)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_fmcat, write


def findings(root: Path, source: str) -> dict[int, list[tuple[str, str]]]:
    """Line -> (code, message) of the code rules' findings on app.py."""
    write(root, {"app.py": source})
    run = run_fmcat("lint", ".", "-f", "json", "--select", "FM101,FM103,FM107", cwd=root)
    assert run.code in (0, 1), run.stderr
    by_line: dict[int, list[tuple[str, str]]] = {}
    for finding in json.loads(run.stdout)["findings"]:
        by_line.setdefault(finding["line"], []).append((finding["code"], finding["message"]))
    return by_line


KUBERNETES = """\
from kubernetes import client, watch
from kubernetes.stream import stream


def pods(namespace):
    core = client.CoreV1Api()
    return core.list_namespaced_pod(namespace)


def pods_bounded(namespace):
    try:
        return client.CoreV1Api().list_namespaced_pod(namespace, _request_timeout=(3, 10))
    except client.ApiException:
        return None


def events(namespace):
    w = watch.Watch()
    pods = client.CoreV1Api().list_namespaced_pod
    try:
        for event in w.stream(pods, namespace, timeout_seconds=60):
            print(event)
    except Exception:
        w.stop()


def run_in_pod(name, namespace):
    core = client.CoreV1Api()
    try:
        return stream(core.connect_get_namespaced_pod_exec, name, namespace, command=["ls"])
    except client.ApiException:
        return None
"""


def test_kubernetes_api_calls_without_request_timeout_wait_forever(tmp_path: Path) -> None:
    found = findings(tmp_path, KUBERNETES)
    assert found == {
        7: [
            (
                "FM101",
                "kubernetes.client.CoreV1Api.list_namespaced_pod has no timeout and kubernetes "
                "waits forever; set _request_timeout=",
            ),
            (
                "FM103",
                "kubernetes.client.CoreV1Api.list_namespaced_pod can fail "
                "(kubernetes.client.exceptions.OpenApiException) and nothing handles it: no "
                "enclosing try catches it and no resilience decorator wraps the function",
            ),
        ],
        # timeout_seconds asks the server to end the watch; a silent connection still waits.
        21: [
            (
                "FM101",
                "kubernetes.watch.Watch.stream has no timeout and kubernetes waits forever; "
                "set _request_timeout=",
            )
        ],
        30: [("FM107", found[30][0][1])],
    }
    assert found[30][0][1] == (
        "kubernetes.stream.stream relies on kubernetes's default timeout of 60s; "
        "state it with _request_timeout="
    )


BIGQUERY = """\
from google.cloud import bigquery


def get_client() -> bigquery.Client:
    return bigquery.Client(project="p")


def rows(sql):
    job = get_client().query(sql)
    return list(job.result())


def rows_bounded(sql):
    client = bigquery.Client(project="p")
    try:
        job = client.query(sql, timeout=30)
        return list(job.result(timeout=300))
    except Exception:
        return []


def job_state(client: bigquery.Client, job_id):
    try:
        return client.get_job(job_id).state
    except Exception:
        return None
"""


def test_bigquery_requests_and_job_waits_without_timeout_wait_forever(tmp_path: Path) -> None:
    found = findings(tmp_path, BIGQUERY)
    unhandled = (
        "can fail (google.api_core.exceptions.GoogleAPIError) and nothing handles it: no "
        "enclosing try catches it and no resilience decorator wraps the function"
    )
    assert found == {
        9: [
            (
                "FM101",
                "google.cloud.bigquery.Client.query has no timeout and google-cloud-bigquery "
                "waits forever; set timeout=",
            ),
            ("FM103", f"google.cloud.bigquery.Client.query {unhandled}"),
        ],
        10: [
            (
                "FM101",
                "google.cloud.bigquery.QueryJob.result has no timeout and google-cloud-bigquery "
                "waits forever; set timeout=",
            ),
            ("FM103", f"google.cloud.bigquery.QueryJob.result {unhandled}"),
        ],
        24: [
            (
                "FM107",
                "google.cloud.bigquery.Client.get_job relies on google-cloud-bigquery's default "
                "timeout of 128s; state it with timeout=",
            )
        ],
    }
