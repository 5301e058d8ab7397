"""Timestamps: ``datetime.fromisoformat`` (CPython 3.11) vs ``dateutil.parser.isoparse``.

Both read ISO 8601, and neither reads all of it: CPython 3.11 reads "most ISO
8601 formats" except reduced-precision and ordinal dates and hour 24, and is
lenient between the time and its offset; dateutil reads reduced and ordinal dates
and midnight as ``24:00`` but refuses offsets with seconds and fractions of
hours or minutes. Each side answers ``isoformat()`` of what it parsed.

The strategy builds timestamps from ISO 8601 parts (calendar, reduced, ordinal
and week dates, basic or extended; times with optional minutes, seconds and a
fraction at any of them; ``Z``, ``z`` and numeric offsets with or without
seconds), with the variations people write (a space or ``t`` as separator, a
space before the offset). Parts are drawn simplest first, so a shrunk input is a
short one.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from dateutil.parser import isoparse  # type: ignore[import-untyped]  # no stubs installed
from hypothesis import strategies as st

import difffuzz
from tests.quality.pairs import Cause, Pair, answer

__all__ = ["PAIR", "dateutil_isoparse", "stdlib_fromisoformat", "timestamps"]


def stdlib_fromisoformat(value: str) -> str:
    return answer(lambda text: datetime.fromisoformat(text).isoformat(), value)


def dateutil_isoparse(value: str) -> str:
    return answer(lambda text: isoparse(text).isoformat(), value)


def _two(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map("{:02d}".format)


@st.composite
def _date(draw: st.DrawFn) -> str:
    year = draw(st.integers(1, 9999).map("{:04d}".format))
    form = draw(
        st.sampled_from(
            ["basic", "extended", "year", "month", "ordinal", "ordinal_basic", "week", "week_basic"]
        )
    )
    month, day = draw(_two(1, 12)), draw(_two(1, 28))
    ordinal = draw(st.integers(1, 365).map("{:03d}".format))
    week, weekday = draw(_two(1, 52)), draw(st.integers(1, 7).map(str))
    return {
        "basic": f"{year}{month}{day}",
        "extended": f"{year}-{month}-{day}",
        "year": year,
        "month": f"{year}-{month}",
        "ordinal": f"{year}-{ordinal}",
        "ordinal_basic": f"{year}{ordinal}",
        "week": f"{year}-W{week}-{weekday}",
        "week_basic": f"{year}W{week}{weekday}",
    }[form]


@st.composite
def _time(draw: st.DrawFn) -> str:
    colon = draw(st.sampled_from(["", ":"]))
    text = draw(_two(0, 24))
    for _ in range(draw(st.integers(0, 2))):  # minutes, then seconds; often on the hour
        text += colon + draw(st.just("00") | _two(0, 59))
    if draw(st.booleans()):
        text += draw(st.sampled_from([".", ","])) + draw(
            st.from_regex(r"[0-9]{1,9}", fullmatch=True)
        )
    return text


@st.composite
def _offset(draw: st.DrawFn) -> str:
    form = draw(st.sampled_from(["Z", "hours", "hours_minutes", "seconds", "z"]))
    if form in ("Z", "z"):
        return form
    colon = draw(st.sampled_from(["", ":"]))
    text = draw(st.sampled_from(["+", "-"])) + draw(_two(0, 23))
    if form != "hours":
        text += colon + draw(_two(0, 59))
    if form == "seconds":
        text += colon + draw(_two(0, 59))
    return text


@difffuzz.strategy(
    "pairs_timestamps",
    description="ISO 8601 timestamps built from parts, with the variations people write",
    examples=["2011-11-04T00:05:23Z"],
)
def timestamps() -> st.SearchStrategy[str]:
    time_part = st.tuples(
        st.sampled_from(["T", " ", "t"]),
        _time(),
        st.sampled_from(["", " "]),
        st.sampled_from([""]) | _offset(),
    ).map(lambda parts: parts[0] + parts[1] + (parts[2] + parts[3] if parts[3] else ""))
    return st.tuples(_date(), st.sampled_from([""]) | time_part).map("".join)


# One reading of a timestamp, used by the causes' predicates: the date (in one of
# ISO 8601's forms), the separator (CPython takes any character there), the time,
# stray characters before the offset, and the offset.
_PARTS = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2}|\d{8}|\d{4}-\d{3}|\d{7}|\d{4}-?W\d{2}(?:-?\d)?|\d{4}(?:-\d{2})?)"
    r"(?:(?P<sep>.)(?P<time>[0-9:.,]*)(?P<stray>[^0-9:.,+Zz-]*)"
    r"(?P<offset>[Zz]|[+-][0-9:.,]*)?)?",
    re.DOTALL,
)


def _parts(value: Any) -> dict[str, str]:
    match = _PARTS.fullmatch(value) if isinstance(value, str) else None
    return {k: v or "" for k, v in match.groupdict().items()} if match else {}


def _reduced(value: Any) -> bool:
    match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", value) if isinstance(value, str) else None
    if match is None:
        return False
    return int(match[1]) >= 1 and (match[2] is None or 1 <= int(match[2]) <= 12)


def _ordinal(value: Any) -> bool:
    match = re.fullmatch(r"(\d{4})-?(\d{3})", _parts(value).get("date", ""))
    return match is not None and int(match[1]) >= 1 and 1 <= int(match[2]) <= 365


def _hour_24(value: Any) -> bool:
    time = _parts(value).get("time", "")
    return bool(re.fullmatch(r"24(?::00(?::00(?:[.,]0+)?)?|00(?:00(?:[.,]0+)?)?)?", time))


def _lowercase_z(value: Any) -> bool:
    parts = _parts(value)
    return parts.get("offset") == "z" and not parts["stray"]


def _offset_seconds(value: Any) -> bool:
    return bool(
        re.fullmatch(r"[+-]\d{2}(:?)\d{2}\1\d{2}(?:[.,]\d+)?", _parts(value).get("offset", ""))
    )


def _fraction_of_hour_or_minute(value: Any) -> bool:
    parts = _parts(value)
    in_time = re.fullmatch(r"\d{2}(?::?\d{2})?[.,]\d+", parts.get("time", ""))
    in_offset = re.fullmatch(r"[+-]\d{2}(?::?\d{2})?[.,]\d+", parts.get("offset", ""))
    return bool(in_time or in_offset)


def _stray_before_offset(value: Any) -> bool:
    parts = _parts(value)
    if not (parts.get("stray") and parts["offset"]):
        return False
    fraction = re.search(r"[.,](\d*)$", parts["time"])
    return len(parts["stray"]) == 1 if fraction is None else len(fraction[1]) >= 6


PAIR = Pair(
    name="timestamps",
    left="datetime.fromisoformat",
    right="dateutil.parser.isoparse",
    left_target="tests.quality.pairs.timestamps:stdlib_fromisoformat",
    right_target="tests.quality.pairs.timestamps:dateutil_isoparse",
    strategy="pairs_timestamps",
    module="tests.quality.pairs.timestamps",
    causes=(
        Cause(
            "reduced-date",
            "a year or a year-month alone: dateutil reads it as the first day, CPython refuses",
            "0001",
            _reduced,
        ),
        Cause(
            "ordinal-date",
            "an ordinal date (YYYY-DDD, YYYYDDD): dateutil reads it, CPython 3.11 refuses",
            "0001001",
            _ordinal,
        ),
        Cause(
            "hour-24",
            "24:00 as midnight at the end of the day: dateutil rolls over, CPython refuses hour 24",
            "00010101T24",
            _hour_24,
        ),
        Cause(
            "lowercase-z",
            "a lowercase 'z' as the UTC designator: dateutil takes it, CPython refuses",
            "00010101T00z",
            _lowercase_z,
        ),
        Cause(
            "offset-seconds",
            "an offset with seconds (+hh:mm:ss): CPython reads it, dateutil takes 1-6 characters",
            "00010101T00+000000",
            _offset_seconds,
        ),
        Cause(
            "fraction-of-hour-or-minute",
            "a decimal fraction right after the hours or the minutes (of the time or the offset): "
            "CPython reads it as a fraction of a second, dateutil refuses",
            "00010101T00.0",
            _fraction_of_hour_or_minute,
        ),
        Cause(
            "stray-before-offset",
            "characters between the time and its offset: CPython skips one after a time "
            "without fraction, any after a fraction of 6+ digits; dateutil refuses",
            "00010101T00 Z",
            _stray_before_offset,
        ),
    ),
)
