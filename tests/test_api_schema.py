"""The OpenAPI contract: schemathesis over every operation with an authenticated (admin) client.

Checks: no 5xx, every status code documented, every response's content type
and body match the schema. Positive and negative data, a bounded number of
examples per operation (deterministic), on SQLite and PostgreSQL. Half of the
positive examples aim at objects that exist (the fixture's route, stop,
customer, flag, plan…) so that bodies and queries are fuzzed past the 404.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.main import create_app
from tests.api_fixtures import World, api_world  # noqa: F401
from tests.test_api_access import NullRunner

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 8}


def real_objects(w: World) -> dict[str, str]:
    """Path parameters of existing objects, by the operation's path prefix (longest first)."""
    i = w.ids
    return {
        "/api/v1/routes/": i["route_a"],
        "/api/v1/stops/": i["stop_b"],
        "/api/v1/customers/": i["cust_monthly_own"],
        "/api/v1/stores/": "S01",
        "/api/v1/flags/": f"{w.today.isoformat()}/outcome_missing/{i['stop_c']}",
        "/api/v1/plans/{plan_ref}": str(i["plan_id"]),
        "/api/v1/plans/": i["job_done"],
        "/api/v1/depots/": "S01",
        "/api/v1/products/": "S001",
        "/api/v1/vehicles/": i["vehicle_a"],
        "/api/v1/staff/": "E001",
        "/api/v1/orders/": i["order_own_sm"],
        "/api/v1/townships/": "T01",
        "/api/v1/users/": str(w.users["finance"]),
    }


def _aim(case: Any, real: dict[str, str]) -> None:
    path = case.operation.path
    if not case.path_parameters or len(case.path_parameters) != 1:
        return
    value = next(
        (v for prefix, v in sorted(real.items(), key=lambda x: -len(x[0])) if path.startswith(prefix)), None
    )
    if value is not None:
        case.path_parameters = {next(iter(case.path_parameters)): value}


@dataclass
class Tally:
    calls: int = 0
    classes: Counter[str] = field(default_factory=Counter)  # "2xx", "4xx"
    ok_ops: set[str] = field(default_factory=set)  # operations that answered 2xx at least once


def _run(op: Any, mode: GenerationMode, headers: dict[str, str], tally: Tally, real: dict[str, str]) -> None:
    @hypothesis.settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @given(case=op.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        if mode == GenerationMode.POSITIVE and tally.calls % 2 == 0:
            _aim(case, real)
        resp = case.call_and_validate(headers=headers, checks=CHECKS)
        tally.calls += 1
        tally.classes[f"{resp.status_code // 100}xx"] += 1
        if resp.status_code < 300:
            tally.ok_ops.add(f"{case.method} {case.operation.path}")

    try:
        check()
    except hypothesis.errors.Unsatisfiable:
        assert mode == GenerationMode.NEGATIVE  # nothing to make invalid (no parameters, no body)


def test_openapi_contract(api_world: World) -> None:  # noqa: F811
    app = create_app(api_world.settings)
    with TestClient(app):  # runs the lifespan (job service) for the whole fuzzing session
        app.state.jobs.runner = NullRunner()
        schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
        headers = api_world.headers("admin")
        tally = Tally()
        real = real_objects(api_world)
        ops = [r.ok() for r in schema.get_all_operations()]
        for op in ops:
            for mode in EXAMPLES:
                _run(op, mode, headers, tally, real)
    print(
        f"\nschemathesis: {len(ops)} operations, {tally.calls} requests "
        f"({', '.join(f'{k} {v}' for k, v in sorted(tally.classes.items()))}), "
        f"{len(tally.ok_ops)} operations answered 2xx; no 5xx, every response matched its schema"
    )
    assert len(ops) >= 60
    assert "5xx" not in tally.classes


def test_every_operation_has_an_example(api_world: World) -> None:  # noqa: F811
    spec = create_app(api_world.settings).openapi()
    comps = spec["components"]["schemas"]

    def has_example(schema: dict[str, Any]) -> bool:
        if "examples" in schema or "example" in schema:
            return True
        if "$ref" in schema:
            return has_example(comps[schema["$ref"].split("/")[-1]])
        if schema.get("type") == "array":
            return has_example(schema.get("items", {}))
        data = schema.get("properties", {}).get("data")
        return bool(data) and has_example(data)

    missing = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            bodies = [c.get("schema", {}) for c in op.get("requestBody", {}).get("content", {}).values()]
            oks = [
                c.get("schema", {})
                for code, r in op["responses"].items()
                if code.startswith("2")
                for c in r.get("content", {}).values()
            ]
            if (bodies or oks) and not any(has_example(s) for s in bodies + oks):  # 204: nothing to show
                missing.append(f"{method.upper()} {path}")
    assert not missing, missing
