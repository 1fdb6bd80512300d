"""WGS-84 ⇄ GCJ-02 against published reference pairs, and round trips within a metre."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maps.gcj02 import gcj02_to_wgs84, out_of_china, to_gcj02_path, wgs84_to_gcj02

# (wgs lat, wgs lon, gcj lat, gcj lon) from the test suites of open-source transform libraries.
FORWARD = [
    # eviltransform (googollee/eviltransform, Python tests): Shanghai, Shenzhen, Beijing
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
    # coordtransform (wandergis) as used by hutool's CoordinateUtilTest and coordtransform-rs
    (39.915, 116.404, 39.91640428150164, 116.41024449916938),
    # geotool (Rust) CLI tests: Jiaxing, Zhejiang
    (30.6107779, 121.0917077, 30.608604331756705, 121.09626935575027),
]
# GCJ-02 → WGS-84 as published (those libraries' inverses are one-step approximations,
# good to a metre or two; ours iterates to the exact inverse).
INVERSE = [
    (39.915, 116.404, 39.91359571849836, 116.39775550083061),  # coordtransform / hutool
    (45.0, 123.0, 44.99804071, 122.99395597),  # gcoord (hujiulong/gcoord) unit test
]


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Equirectangular distance in metres (exact enough below a few km)."""
    k = math.pi / 180 * 6_371_008.8
    return math.hypot((a[0] - b[0]) * k, (a[1] - b[1]) * k * math.cos(math.radians(a[0])))


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), FORWARD)
def test_forward_matches_reference(wlat: float, wlon: float, glat: float, glon: float) -> None:
    lat, lon = wgs84_to_gcj02(wlat, wlon)
    assert lat == pytest.approx(glat, abs=1e-6)  # ≈ 0.1 m
    assert lon == pytest.approx(glon, abs=1e-6)
    assert metres((lat, lon), (glat, glon)) < 0.05


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), FORWARD)
def test_inverse_recovers_reference_wgs(wlat: float, wlon: float, glat: float, glon: float) -> None:
    assert metres(gcj02_to_wgs84(glat, glon), (wlat, wlon)) < 0.05


@pytest.mark.parametrize(("glat", "glon", "wlat", "wlon"), INVERSE)
def test_inverse_close_to_published_approximations(
    glat: float, glon: float, wlat: float, wlon: float
) -> None:
    assert metres(gcj02_to_wgs84(glat, glon), (wlat, wlon)) < 2.0


def test_the_shift_is_hundreds_of_metres_in_our_county() -> None:
    # Qingshan county centre (Hunan): an unconverted marker would land this far off.
    p = (28.45, 112.30)
    shift = metres(p, wgs84_to_gcj02(*p))
    assert 100 < shift < 800


def test_identity_outside_china() -> None:
    assert out_of_china(48.85, 2.35)
    assert wgs84_to_gcj02(48.85, 2.35) == (48.85, 2.35)
    assert gcj02_to_wgs84(48.85, 2.35) == (48.85, 2.35)


def test_path_conversion_is_pointwise() -> None:
    path = [(28.1, 112.0), (28.2, 112.1)]
    assert to_gcj02_path(path) == [wgs84_to_gcj02(*p) for p in path]


@settings(max_examples=300, deadline=None)
@given(st.floats(18.2, 53.5), st.floats(73.7, 134.9))
def test_round_trip_within_a_metre(lat: float, lon: float) -> None:
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lon))
    assert metres(back, (lat, lon)) < 1.0
    assert metres(back, (lat, lon)) < 0.001  # in fact well under a millimetre
