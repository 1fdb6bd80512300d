"""Address → coordinates with a geopy geocoder: rate-limited, cached, always confirmed.

A lookup returns *candidates*; nothing is saved until a person confirms one
(:func:`confirm`), because a geocoder's best guess for a village shop is often
the township's centre.  Results are cached on disk by the normalised address,
so a repeated lookup never calls the service again.  With no geocoder
configured (offline, the default) coordinates come from the customer
register and :meth:`AddressGeocoder.candidates` raises
:class:`GeocodingUnavailable`.

Mind the datum: AMap/Gaode and most Chinese services answer in GCJ-02 (Baidu
in BD-09), which is a few hundred metres off WGS-84; use a WGS-84/CGCS2000
service (Nominatim, Tianditu) or convert before confirming.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from geopy.extra.rate_limiter import RateLimiter

from models import clock
from models.errors import DispatchError, InputError


class GeocodingUnavailable(DispatchError):
    """No geocoder is configured (or it failed): take coordinates from the register."""


@dataclass(frozen=True)
class Candidate:
    """One possible location for an address, not yet confirmed."""

    query: str
    address: str
    lat: float
    lon: float
    source: str


@dataclass(frozen=True)
class ConfirmedLocation:
    """A candidate a person has accepted: only these may be saved to the register."""

    query: str
    address: str
    lat: float
    lon: float
    source: str
    confirmed_by: str
    confirmed_at: dt.datetime


def normalise(address: str) -> str:
    """The cache key of an address: NFKC, collapsed whitespace, lower case."""
    return " ".join(unicodedata.normalize("NFKC", address).split()).lower()


def confirm(candidate: Candidate, *, confirmed_by: str, now: dt.datetime | None = None) -> ConfirmedLocation:
    """Record that ``confirmed_by`` accepted ``candidate``; raises InputError without a name."""
    if not confirmed_by.strip():
        raise InputError.single("confirmed_by", "a geocoding result must be confirmed by a named person")
    return ConfirmedLocation(
        query=candidate.query, address=candidate.address, lat=candidate.lat, lon=candidate.lon,
        source=candidate.source, confirmed_by=confirmed_by.strip(),
        confirmed_at=now or clock.now(),
    )  # fmt: skip


class AddressGeocoder:
    """A geopy geocoder behind a rate limiter and a JSON cache.

    Parameters
    ----------
    geocoder:
        Any geopy geocoder (or object with ``geocode(query, exactly_one=False)``),
        or ``None`` for offline.
    cache_path:
        JSON file of earlier answers (created on first write); ``None``: memory only.
    min_delay_seconds:
        At least this long between two calls to the service (Nominatim's policy is 1 s).
    max_candidates:
        Keep at most this many candidates per address.
    """

    def __init__(
        self,
        geocoder: Any | None,
        *,
        cache_path: Path | None = None,
        min_delay_seconds: float = 1.0,
        max_candidates: int = 5,
        source: str | None = None,
    ) -> None:
        self.geocoder = geocoder
        self.cache_path = cache_path
        self.max_candidates = max_candidates
        self.source = source or (type(geocoder).__name__ if geocoder is not None else "offline")
        self.calls = 0
        self._cache: dict[str, list[dict[str, Any]]] = self._read_cache()
        self._lookup: Callable[..., Any] | None = None
        if geocoder is not None:
            self._lookup = RateLimiter(
                geocoder.geocode, min_delay_seconds=min_delay_seconds, max_retries=2,
                error_wait_seconds=max(min_delay_seconds, 1.0), swallow_exceptions=False,
            )  # fmt: skip

    @property
    def online(self) -> bool:
        return self.geocoder is not None

    def _read_cache(self) -> dict[str, list[dict[str, Any]]]:
        if self.cache_path is None or not self.cache_path.is_file():
            return {}
        try:
            data = json.loads(self.cache_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write_cache(self) -> None:
        if self.cache_path is None:
            return
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.cache_path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self._cache, fh, ensure_ascii=False, indent=1)
        os.replace(tmp, self.cache_path)

    def candidates(self, address: str) -> list[Candidate]:
        """Candidates for ``address`` (cached; an empty list when nothing matches).

        Raises :class:`InputError` for an empty address and
        :class:`GeocodingUnavailable` offline or when the service fails.
        """
        key = normalise(address)
        if not key:
            raise InputError.single("address", "empty address")
        if key not in self._cache:
            if self._lookup is None:
                raise GeocodingUnavailable(
                    "no geocoder configured: coordinates come from the customer register"
                )
            try:
                self.calls += 1
                found = self._lookup(address, exactly_one=False) or []
            except Exception as exc:  # geopy's GeocoderServiceError and friends
                raise GeocodingUnavailable(f"geocoder failed for {address!r}: {exc}") from exc
            self._cache[key] = [
                {"address": str(loc.address), "lat": float(loc.latitude), "lon": float(loc.longitude)}
                for loc in list(found)[: self.max_candidates]
            ]
            self._write_cache()
        return [Candidate(query=address, source=self.source, **c) for c in self._cache[key]]


def make_geocoder(
    service: str | None, *, cache_path: Path | None = None, min_delay_seconds: float = 1.0, **options: Any
) -> AddressGeocoder:
    """An :class:`AddressGeocoder` for a geopy service name (``"nominatim"``…), or offline for None.

    ``options`` go to the geopy class (``user_agent``, ``api_key``…).  Creating
    one makes no network call.
    """
    if not service:
        return AddressGeocoder(None, cache_path=cache_path)
    from geopy.geocoders import get_geocoder_for_service

    cls = get_geocoder_for_service(service)
    if service == "nominatim":
        options.setdefault("user_agent", "county-dispatch")
    return AddressGeocoder(cls(**options), cache_path=cache_path, min_delay_seconds=min_delay_seconds,
                           source=service)  # fmt: skip


def as_dict(location: ConfirmedLocation) -> dict[str, Any]:
    """JSON-ready form of a confirmed location."""
    d = asdict(location)
    d["confirmed_at"] = location.confirmed_at.isoformat()
    return d
