"""How old a runbook review may be, and what "today" is.

"Today" honours SOURCE_DATE_EPOCH (the reproducible-builds convention: seconds since 1970, UTC),
so a build or a golden test that pins it gets the same staleness verdicts every day.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

#: The default of [tool.fmcat] review_max_age_days: a runbook nobody has looked at for a year
#: describes a system that has changed under it.
DEFAULT_MAX_AGE_DAYS = 365


def today() -> date:
    pinned = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if pinned.isdigit():
        return datetime.fromtimestamp(int(pinned), UTC).date()
    return datetime.now(UTC).date()


def age_days(reviewed: date, on: date) -> int:
    return (on - reviewed).days


def is_stale(reviewed: date, max_age_days: int, on: date) -> bool:
    return age_days(reviewed, on) > max_age_days
