"""Speed profiles: the default table, links, caps, forbidden classes, fingerprints."""

from __future__ import annotations

import pytest

from maps.profiles import DEFAULT_PROFILES, ROAD_CLASSES, ProfileTable, SpeedProfile, get_profile
from models.errors import InputError


def test_default_table_has_the_three_product_profiles() -> None:
    assert DEFAULT_PROFILES.names == ["ev", "truck", "van"]
    truck, van, ev = (get_profile(n) for n in ("truck", "van", "ev"))
    for cls in ("unclassified", "residential", "track"):
        assert truck.speed_kmh(cls) < van.speed_kmh(cls)  # trucks slower on village roads
    assert truck.winding_factor < van.winding_factor  # and on mountain roads
    assert max(ev.speed_kmh(c) for c in ROAD_CLASSES if ev.allows(c)) <= 45
    for cls in ("motorway", "motorway_link", "trunk", "trunk_link"):
        assert not ev.allows(cls) and truck.allows(cls)


def test_links_default_to_a_share_of_their_parent() -> None:
    van = get_profile("van")
    assert van.speed_kmh("primary_link") == pytest.approx(60 * 0.75)
    assert van.speed_kmh("no_such_class") == van.default_kmh
    assert van.class_speed_array().shape == (len(ROAD_CLASSES),)
    assert (get_profile("ev").class_speed_array()[[0, 1, 2, 3]] == 0).all()


def test_fingerprint_changes_with_speeds() -> None:
    a = SpeedProfile(name="x", speeds_kmh={"primary": 50})
    b = SpeedProfile(name="x", speeds_kmh={"primary": 51})
    assert a.fingerprint() != b.fingerprint()
    assert a.fingerprint() == SpeedProfile(name="x", speeds_kmh={"primary": 50}).fingerprint()


def test_bad_profiles_are_input_errors() -> None:
    with pytest.raises(InputError, match="speed"):
        SpeedProfile(name="x", speeds_kmh={"primary": 0})
    with pytest.raises(InputError, match="profile"):
        ProfileTable().get("bicycle")
    with pytest.raises(InputError):
        SpeedProfile(name="x", speeds_kmh={}, top_kmh=-1)
