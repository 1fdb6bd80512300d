"""A map sheet in Debian's Chromium with the network cut off: every marker and the road layer are drawn.

Playwright drives ``/usr/bin/chromium`` (``playwright install`` is never run);
every request that is not ``file:`` or ``data:`` is aborted and recorded, and
the browser context is offline as well.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from maps.matrix import leg_geometries
from maps.render import Place, SheetRoute, SheetStop, route_sheet
from maps.store import load_network
from tests.needs import need, need_module

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROADS = Path(__file__).resolve().parent.parent / "scenarios" / "data" / "qingshan" / "roads.npz"
DEPOT = (28.453915, 112.301651)
STOPS = [
    (28.4625, 112.3170),
    (28.4700, 112.3240),
    (28.4580, 112.3290),
    (28.4470, 112.3200),
    (28.4410, 112.3060),
]


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    network = load_network(ROADS)
    pts = [("depot", *DEPOT)] + [(f"s{i}", la, lo) for i, (la, lo) in enumerate(STOPS)] + [("back", *DEPOT)]
    legs = leg_geometries(network, pts, profile="van")
    stops = tuple(
        SheetStop(
            seq=i + 1,
            lat=la,
            lon=lo,
            name=f"城关镇测试商店{i + 1}",
            code=f"43990100000{i}",
            address=f"城关镇人民路{i + 1}号",
            lines=(("加碘精制盐 500g", 5 + i),),
            window="08:00–18:00",
            eta=f"0{8 + i}:15",
            cash="¥400.00",
            note=f"DN20261201-{i + 1:04d}",
        )
        for i, (la, lo) in enumerate(STOPS)
    )
    route = SheetRoute(
        number=1,
        code="20261201-V1-R02",
        title="20261201-V1-R02 · 湘X·B2002",
        depot_name="配送中心",
        depot_lat=DEPOT[0],
        depot_lon=DEPOT[1],
        stops=stops,
        legs=tuple(tuple(leg) for leg in legs),
        facts=(("站点数", "5"),),
        depot_code="DC",
    )
    path = tmp_path_factory.mktemp("sheet") / "sheet.html"
    path.write_text(
        route_sheet(route, network=network, places=[Place("城关镇", 28.462, 112.318)]), encoding="utf-8"
    )
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    installed = Path(CHROMIUM).exists() or bool(shutil.which("chromium"))
    need(installed, "Debian's chromium is not installed (make test-debs)")
    sync_api = need_module("playwright.sync_api", "playwright is not installed (make venv)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def open_offline(browser: Any, sheet: Path, viewport: dict[str, int]) -> tuple[Any, list[str], list[str]]:
    ctx = browser.new_context(viewport=viewport, offline=True)
    page = ctx.new_page()
    attempted: list[str] = []
    errors: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            attempted.append(url)
            route.abort()

    page.route("**/*", guard)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(sheet.as_uri())
    page.wait_for_function(
        "document.documentElement.getAttribute('data-sheet-ready') !== null", timeout=15000
    )
    return page, attempted, errors


def test_every_marker_and_the_road_layer_are_drawn_offline(browser: Any, sheet: Path) -> None:
    page, attempted, errors = open_offline(browser, sheet, {"width": 1280, "height": 800})
    assert attempted == [] and errors == []
    pins = page.locator(".leaflet-marker-pane .pin")
    assert pins.count() == len(STOPS)
    assert [pins.nth(i).inner_text() for i in range(pins.count())] == [str(i + 1) for i in range(len(STOPS))]
    for i in range(pins.count()):
        assert pins.nth(i).is_visible()
    lines = page.evaluate("Object.values(dispatchMap._layers).filter(l => l instanceof L.Polyline).length")
    assert lines >= 5  # road classes + the route (casing and colour)
    painted = page.evaluate(
        """() => { const c = document.querySelector('.leaflet-overlay-pane canvas');
                   if (!c) return 0;
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"""
    )
    assert painted > 5000  # roads and the route are on the canvas
    pins.nth(2).click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert "城关镇测试商店3" in popup.inner_text() and "¥400.00" in popup.inner_text()
    page.context.close()


def test_phone_viewport_collapses_panels_and_the_stop_list_finds_a_stop(browser: Any, sheet: Path) -> None:
    page, attempted, errors = open_offline(browser, sheet, {"width": 390, "height": 760})
    assert attempted == [] and errors == []
    assert page.evaluate("document.querySelector('details.panel').open") is False
    assert page.evaluate("document.querySelector('details.legend').open") is False
    page.locator("details.panel summary").click()
    page.locator('[data-go="3"]').click()
    page.locator(".leaflet-popup-content").wait_for(timeout=5000)
    assert "城关镇测试商店4" in page.locator(".leaflet-popup-content").inner_text()
    page.context.close()


def test_choosing_amap_swaps_in_the_gcj02_route(browser: Any, sheet: Path, tmp_path: Path) -> None:
    from maps.gcj02 import wgs84_to_gcj02
    from maps.render import tile_specs

    html = sheet.read_text(encoding="utf-8")
    assert "autonavi" not in html
    network = load_network(ROADS)
    stops = tuple(SheetStop(seq=i + 1, lat=la, lon=lo, name=f"店{i + 1}") for i, (la, lo) in enumerate(STOPS))
    route = SheetRoute(
        number=1, code="R", title="R", depot_name="DC", depot_lat=DEPOT[0], depot_lon=DEPOT[1], stops=stops
    )
    page_file = tmp_path / "amap.html"
    page_file.write_text(route_sheet(route, network=network, tiles=tile_specs(["amap"])), encoding="utf-8")
    page, attempted, errors = open_offline(browser, page_file, {"width": 1000, "height": 700})
    assert attempted == [] and errors == []  # no tile is asked for until the layer is chosen
    where = "[...document.querySelectorAll('.leaflet-marker-pane .pin')].map(e => e.textContent)"
    assert page.evaluate(where) == [str(i + 1) for i in range(len(STOPS))]
    page.locator(".leaflet-control-layers").hover()
    page.get_by_text("高德 AMap").click()
    page.wait_for_timeout(300)
    shown = page.evaluate(
        "Object.values(dispatchMap._layers).filter(l => l instanceof L.Marker && l._icon"
        " && l._icon.querySelector('.pin')).map(l => [l.getLatLng().lat, l.getLatLng().lng])"
    )
    assert len(shown) == len(STOPS)
    expected = [wgs84_to_gcj02(la, lo) for la, lo in STOPS]
    for (la, lo), (ela, elo) in zip(sorted(shown), sorted(expected), strict=True):
        assert abs(la - ela) < 1e-9 and abs(lo - elo) < 1e-9
    assert attempted and all("autonavi.com" in u for u in attempted)  # its tiles, blocked here
    page.context.close()
