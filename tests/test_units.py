from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic_core import PydanticCustomError

from fmcat.catalog.model import Policies
from fmcat.catalog.units import Duration, Ratio
from fmcat.catalog.worst_case import worst_case


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("250ms", 0.25),
        ("2s", 2.0),
        ("1m", 60.0),
        ("1.5h", 5400.0),
        ("0ms", 0.0),
        ("2 s", 2.0),
        ("30d", 2_592_000.0),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert Duration.parse(text).seconds == pytest.approx(seconds)
    assert str(Duration.parse(text)) == text


@pytest.mark.parametrize(
    ("value", "hint"),
    [(5, "has no unit; write 5s or 5ms"), ("4 seconds", "is not a duration"), ([1], "got list")],
)
def test_bad_durations_say_how_to_fix_them(value: object, hint: str) -> None:
    with pytest.raises(PydanticCustomError, match=hint):
        Duration.parse(value)


def test_ratios() -> None:
    assert Ratio.parse("0.1%").fraction == pytest.approx(0.001)
    with pytest.raises(PydanticCustomError, match="ambiguous"):
        Ratio.parse(0.5)
    with pytest.raises(PydanticCustomError, match="over 100%"):
        Ratio.parse("150%")


@given(st.integers(min_value=0, max_value=10**6))
def test_computed_durations_print_in_a_sensible_unit(ms: int) -> None:
    text = str(Duration.of_seconds(ms / 1000))
    assert Duration.parse(text).seconds == pytest.approx(ms / 1000, abs=1e-3)


def test_worst_case_matches_the_design_example() -> None:
    policies = Policies.model_validate(
        {
            "timeout": {"connect": "300ms", "read": "700ms"},
            "retry": {"attempts": 2, "backoff": "exponential", "initial": "100ms", "max": "1s"},
        }
    )
    worst = worst_case(policies)
    assert worst is not None
    assert worst.formula() == "2 x (300ms + 700ms) + 100ms = 2.1s"


def test_worst_case_caps_exponential_waits_and_adds_bulkhead_wait() -> None:
    policies = Policies.model_validate(
        {
            "timeout": {"total": "1s"},
            "retry": {"attempts": 5, "backoff": "exponential", "initial": "200ms", "max": "500ms"},
            "bulkhead": {"max_concurrent": 5, "max_wait": "50ms"},
        }
    )
    worst = worst_case(policies)
    assert worst is not None
    assert [w.seconds for w in worst.waits] == [0.2, 0.4, 0.5, 0.5]
    assert worst.total.seconds == pytest.approx(5 * 1.05 + 1.6)
