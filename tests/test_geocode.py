"""Geocoding: candidates only, confirmed before saving, rate-limited, cached; never online here."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from maps.geocode import (
    AddressGeocoder,
    GeocodingUnavailable,
    as_dict,
    confirm,
    make_geocoder,
    normalise,
)
from models.errors import InputError


@dataclass
class Loc:
    address: str
    latitude: float
    longitude: float


class FakeGeocoder:
    """Stands in for a geopy geocoder: records every call, answers from a table."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, float]] = []
        self.fail = fail

    def geocode(self, query: str, exactly_one: bool = True, **_: Any) -> list[Loc]:
        self.calls.append((query, time.monotonic()))
        if self.fail:
            raise RuntimeError("service down")
        if "nowhere" in query:
            return []
        return [Loc(f"{query} (centre)", 28.51, 112.36), Loc(f"{query} (village)", 28.52, 112.37)]


def test_candidates_are_cached_in_memory_and_on_disk(tmp_path: Path) -> None:
    fake = FakeGeocoder()
    cache = tmp_path / "geocode.json"
    g = AddressGeocoder(fake, cache_path=cache, min_delay_seconds=0)
    first = g.candidates("青山镇 李家村 12号")
    assert [c.lat for c in first] == [28.51, 28.52] and first[0].source == "FakeGeocoder"
    spaced = g.candidates("  青山镇  李家村 12号 ")  # same normalised address: from the cache
    assert [(c.address, c.lat, c.lon) for c in spaced] == [(c.address, c.lat, c.lon) for c in first]
    assert len(fake.calls) == 1
    again = AddressGeocoder(FakeGeocoder(), cache_path=cache, min_delay_seconds=0)
    assert again.candidates("青山镇 李家村 12号") == first and again.calls == 0
    assert g.candidates("nowhere at all") == []


def test_calls_are_rate_limited() -> None:
    fake = FakeGeocoder()
    g = AddressGeocoder(fake, min_delay_seconds=0.2)
    g.candidates("a")
    g.candidates("b")
    assert fake.calls[1][1] - fake.calls[0][1] >= 0.19


def test_nothing_is_saved_without_a_named_confirmation() -> None:
    (c, _) = AddressGeocoder(FakeGeocoder(), min_delay_seconds=0).candidates("x")
    with pytest.raises(InputError, match="confirmed"):
        confirm(c, confirmed_by="  ")
    at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    ok = confirm(c, confirmed_by="dispatcher 王", now=at)
    assert (ok.lat, ok.lon, ok.confirmed_by, ok.confirmed_at) == (28.51, 112.36, "dispatcher 王", at)
    assert as_dict(ok)["confirmed_at"] == "2026-03-01T00:00:00+00:00"


def test_offline_and_failures_say_use_the_register() -> None:
    offline = make_geocoder(None)
    assert not offline.online
    with pytest.raises(GeocodingUnavailable, match="register"):
        offline.candidates("x")
    broken = AddressGeocoder(FakeGeocoder(fail=True), min_delay_seconds=0)
    with pytest.raises(GeocodingUnavailable, match="service down"):
        broken.candidates("y")
    with pytest.raises(InputError):
        offline.candidates("   ")
    assert normalise("Ａ  b") == "a b"


def test_make_geocoder_builds_a_geopy_service_without_calling_it() -> None:
    g = make_geocoder("nominatim", min_delay_seconds=1.0)
    assert g.online and g.source == "nominatim" and g.calls == 0
