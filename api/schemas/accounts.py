"""Users and tokens."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import Timestamp, example
from models.accounts import UserRole


class Token(BaseModel):
    model_config = example(
        {"access_token": "eyJhbGciOiJIUzI1NiIs...", "token_type": "bearer", "expires_in": 43200}
    )

    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")


class UserCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "username": "wang.driver",
                    "password": "a-long-passphrase",
                    "role": "driver",
                    "staff": "E001",
                    "full_name": "王师傅",
                }
            ]
        },
    )

    username: str = Field(min_length=1, max_length=64, pattern=r"^[\w.@-]+$")
    password: str = Field(min_length=8, max_length=128)
    role: UserRole
    staff: str | None = Field(
        default=None, max_length=16, description="Staff code; required for a driver or store manager."
    )
    full_name: str = Field(default="", max_length=100)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"active": False}]})

    password: str | None = Field(default=None, min_length=8, max_length=128)
    role: UserRole | None = None
    staff: str | None = Field(default=None, max_length=16)
    active: bool | None = None
    full_name: str | None = Field(default=None, max_length=100)


class UserPublic(BaseModel):
    model_config = example(
        {
            "id": 1,
            "username": "admin",
            "full_name": "",
            "role": "admin",
            "staff": None,
            "active": True,
            "created_at": "2026-11-30T08:00:00Z",
        }
    )

    id: int
    username: str
    full_name: str
    role: UserRole
    staff: str | None = Field(description="Staff code of the person, if any.")
    active: bool
    created_at: Timestamp
