"""The generated county's road network, written beside its scenario file."""

from __future__ import annotations

from pathlib import Path

from maps.county_roads import Place, generate_county_roads
from maps.network import RoadNetwork
from maps.store import save_network
from scenarios.model import ROADS_FILE, Scenario


def county_places(sc: Scenario) -> list[Place]:
    """The places the roads must reach: the county town, township centres, villages."""
    places = [
        Place(id=t.code, name=t.name_zh, lat=t.lat, lon=t.lon,
              kind="county_town" if t.is_county_town else "township", township=t.code)
        for t in sc.townships
    ]
    places += [Place(id=v.code, name=v.name_zh, lat=v.lat, lon=v.lon, kind="village", township=v.township)
               for v in sc.villages]
    return places


def county_roads(sc: Scenario) -> RoadNetwork:
    """Generate the scenario's roads (deterministic for its seed)."""
    town = next(t for t in sc.townships if t.is_county_town)
    return generate_county_roads(county_places(sc), seed=sc.seed, county_town=(town.lat, town.lon),
                                 name=f"{sc.name} roads")


def write_roads(sc: Scenario, folder: Path) -> Path:
    """Generate and store the roads as ``folder/roads.npz``; return the path."""
    return save_network(county_roads(sc), folder / ROADS_FILE)
