"""Settings from the environment (prefix ``DISPATCH_``), via pydantic-settings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything configurable about one installation.

    The embedded default is a SQLite file in ``data_dir``; set
    ``DISPATCH_DATABASE_URL`` for PostgreSQL
    (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/dispatch``).
    """

    model_config = SettingsConfigDict(env_prefix="DISPATCH_", env_file=None, extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Folder for the SQLite file, caches, outputs.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir.")
    broker_url: str | None = Field(default=None, description="Celery broker, e.g. redis://127.0.0.1:6379/0.")
    timezone: str = Field(
        default="Asia/Shanghai",
        description="The installation's time zone (IANA name): cut-off, local days, printed times. "
        "Read through models.clock, the one place that knows it.",
    )
    snap_limit_m: int = Field(default=500, ge=0)
    detour_factor: float = Field(default=1.4, gt=1.0)
    tianditu_key: str | None = None
    map_tiles: str = Field(
        default="",
        description="Online tile layers offered on map sheets, comma-separated among osm, tianditu, amap "
        "(tianditu needs tianditu_key); empty: offline only, the road network drawn as vectors.",
    )
    cut_off: str = Field(default="16:00", pattern=r"^\d{2}:\d{2}$")
    centre_large_order_cases: int = Field(
        default=10,
        ge=1,
        description="In a township with a store, the centre may deliver fixed-cycle orders of at least "
        "this many cases (where the routing finds it cheaper); smaller ones are the store's.",
    )
    working_days_per_month: int = Field(default=26, ge=1, le=31)
    log_level: str = "INFO"

    # --- service API (api/) ---
    jwt_secret: str | None = Field(
        default=None,
        description="HS256 key for access tokens; unset: a random key kept in data_dir/.jwt-secret.",
    )
    token_expire_minutes: int = Field(default=12 * 60, ge=1, le=7 * 24 * 60)
    cors_origins: str = Field(default="", description="Comma-separated origins; empty: CORS off.")
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, description="Largest request body.")
    login_rate_per_minute: int = Field(default=10, ge=1, description="Login attempts per client and user.")
    idempotency_ttl_hours: int = Field(default=24, ge=24, description="How long Idempotency-Keys are kept.")
    job_workers: int = Field(default=1, ge=1, le=16, description="Processes of the embedded plan-job pool.")
    job_stale_s: int = Field(default=15, ge=3, description="A running job without heartbeat this long died.")
    planning_module: str = Field(
        default="services.planning",
        description="Module with plan_day, prepare_plan, solve_prepared and store_plan.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r} (an IANA name such as Asia/Shanghai)") from None
        return v

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dispatch.db').resolve()}"

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def map_tile_list(self) -> list[str]:
        return [t.strip().lower() for t in self.map_tiles.split(",") if t.strip()]

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings (read once; tests build their own ``Settings``)."""
    return Settings()
