"""Telemetry shipper on urllib3 pools."""

import urllib3
from urllib3.exceptions import HTTPError

COLLECTOR = "https://collector.example.com/v1/metrics"
pool = urllib3.PoolManager(num_pools=4)
bounded = urllib3.PoolManager(timeout=urllib3.Timeout(connect=1.0, read=3.0), retries=2)
unbounded = urllib3.PoolManager(timeout=None)  # expect: FM102


def ship(payload: bytes) -> int:
    resp = pool.request("POST", COLLECTOR, body=payload)  # expect: FM101, FM103
    return resp.status


def ship_bounded(payload: bytes) -> int:
    try:
        return bounded.request("POST", COLLECTOR, body=payload).status
    except HTTPError:
        return 0


def ship_once(payload: bytes) -> int:
    try:
        return pool.request("POST", COLLECTOR, body=payload, timeout=2.0).status  # MaxRetryError only  # expect: FM103
    except urllib3.exceptions.MaxRetryError:
        return 0


def ship_module(payload: bytes) -> int:
    return urllib3.request("POST", COLLECTOR, body=payload).status  # expect: FM103, FM107


def ship_catching_oserror(payload: bytes) -> int:
    try:
        return bounded.request("POST", COLLECTOR, body=payload).status  # expect: FM103
    except OSError:  # urllib3 errors are not OSErrors
        return 0


def ship_unbounded(payload: bytes) -> int:
    try:
        return unbounded.request("POST", COLLECTOR, body=payload).status
    except HTTPError:
        return 0
