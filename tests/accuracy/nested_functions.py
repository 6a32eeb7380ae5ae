"""Report builder: callbacks, closures, threads and handler bodies around HTTP calls."""

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

REPORTS = "https://reports.example.com"


def build(ids: list[str]) -> list[dict]:
    try:
        def load(report_id: str) -> dict:
            return requests.get(f"{REPORTS}/{report_id}", timeout=5).json()  # expect: FM103

        with ThreadPoolExecutor(4) as pool:
            return list(pool.map(load, ids))
    except requests.RequestException:
        return []


def build_inline(ids: list[str]) -> list[dict]:
    try:
        return [requests.get(f"{REPORTS}/{i}", timeout=5).json() for i in ids]
    except requests.RequestException:
        return []


def schedule(report_id: str) -> threading.Thread:
    try:
        worker = threading.Thread(target=lambda: requests.post(f"{REPORTS}/{report_id}/run", timeout=5))  # expect: FM103
        worker.start()
        return worker
    except requests.RequestException:
        raise


def publish(report_id: str) -> None:
    try:
        requests.post(f"{REPORTS}/{report_id}/publish", timeout=5)
    except requests.HTTPError:
        requests.post(f"{REPORTS}/{report_id}/unpublish", timeout=5)  # expect: FM103
    except requests.RequestException as error:
        requests.post(f"{REPORTS}/errors", json={"error": str(error)}, timeout=5)  # expect: FM103
    else:
        requests.post(f"{REPORTS}/{report_id}/notify", timeout=5)  # expect: FM103
    finally:
        requests.post(f"{REPORTS}/{report_id}/audit", timeout=5)  # expect: FM103


def guarded(report_id: str) -> None:
    try:
        try:
            requests.post(f"{REPORTS}/{report_id}/lock", timeout=5)
        except ValueError:
            requests.post(f"{REPORTS}/{report_id}/unlock", timeout=5)
        finally:
            requests.post(f"{REPORTS}/{report_id}/audit", timeout=5)
    except OSError:
        pass


class Exporter:
    def export(self, report_id: str) -> None:
        try:
            class Job:
                def run(self) -> None:
                    requests.post(f"{REPORTS}/{report_id}/export", timeout=5)  # Job().run() is called in the try

            Job().run()
        except requests.RequestException:
            pass

    async def export_async(self, report_id: str) -> None:
        try:
            async def step() -> None:
                requests.post(f"{REPORTS}/{report_id}/step", timeout=5)  # step() is awaited in the try

            await step()
        except requests.RequestException:
            pass
