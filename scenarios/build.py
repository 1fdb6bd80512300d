"""Rebuild the bundled county from its seed: ``python -m scenarios.build``.

Writes ``scenarios/data/qingshan/scenario.json`` and its road network
``roads.npz``. A test checks that the checked-in files are exactly this output.
"""

from __future__ import annotations

from scenarios.generate import GenParams, generate
from scenarios.loader import DATA_DIR, DEFAULT_SCENARIO


def main() -> None:
    sc = generate(GenParams(name=DEFAULT_SCENARIO))
    folder = DATA_DIR / DEFAULT_SCENARIO
    path = sc.write(folder)
    from scenarios.roads import write_roads

    roads = write_roads(sc, folder)
    print(f"wrote {path} and {roads}")


if __name__ == "__main__":
    main()
