"""Callers of the project's client classes: the derived client's parameter decides the timeout."""

import requests

from .clients.github import GitHub, Status

github = GitHub("token")


def repo_page(name: str) -> dict | None:
    try:
        return github.repo(name)  # repo() defaults to 10 s
    except requests.RequestException:
        return None


def repo_unbounded(name: str) -> dict | None:
    try:
        return github.repo(name, timeout=None)  # expect: FM102
    except requests.RequestException:
        return None


def issues_page(name: str) -> list:
    return github.issues(name)


def status_page() -> dict:
    try:
        return Status().summary()
    except OSError:
        return {}
