"""Vehicles: per-object (a driver sees the vehicles they crew, a store manager their store's)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import func, select

from api.deps import CurrentUser, PageDep, SessionDep
from api.errors import ApiError
from api.policies import VEHICLE_WRITE, may_see_vehicle, vehicle_filter, where
from api.schemas.common import ListOf
from api.schemas.register import VehiclePublic, VehicleUpdate
from models.enums import VehicleStatus
from models.errors import InputError
from models.orm import Depot, Staff, Vehicle

router = APIRouter(prefix="/vehicles", tags=["vehicles"])
Plate = Annotated[str, Path(min_length=1, max_length=16, description="Number plate, e.g. 湘X·A5001.")]


def public(v: Vehicle) -> VehiclePublic:
    return VehiclePublic(
        id=v.id,
        plate=v.plate,
        kind=v.kind,
        status=v.status,
        home_depot=v.home_depot.code,
        capacity_kg=v.capacity_kg,
        capacity_cases=v.capacity_cases,
        allowed_area=v.allowed_area,
        shift_start_s=v.shift_start_s,
        shift_end_s=v.shift_end_s,
        cost_per_km_fen=v.cost_per_km_fen,
        fixed_cost_fen=v.fixed_cost_fen,
        driver=v.driver.code if v.driver else None,
        loader=v.loader.code if v.loader else None,
    )


@router.get("")
def list_vehicles(
    session: SessionDep,
    user: CurrentUser,
    page: PageDep,
    depot: str | None = None,
    status: VehicleStatus | None = None,
) -> ListOf[VehiclePublic]:
    flt = vehicle_filter(user)
    if flt is None:
        raise ApiError(403, f"a {user.role.value} may not list vehicles")
    conds = where(flt)
    if depot:
        conds.append(Vehicle.home_depot_id.in_(select(Depot.id).where(Depot.code == depot)))
    if status:
        conds.append(Vehicle.status == status)
    total = session.scalar(select(func.count()).select_from(Vehicle).where(*conds)) or 0
    rows = session.scalars(
        select(Vehicle).where(*conds).order_by(Vehicle.plate).offset(page.offset).limit(page.limit)
    )
    return ListOf(data=[public(v) for v in rows], count=total, offset=page.offset, limit=page.limit)


def _vehicle(session: SessionDep, user: CurrentUser, plate: str) -> Vehicle:
    v = session.scalar(select(Vehicle).where(Vehicle.plate == plate))
    if v is None or not may_see_vehicle(user, v):
        raise ApiError(404, f"vehicle {plate} not found")
    return v


@router.get("/{plate}")
def read_vehicle(session: SessionDep, user: CurrentUser, plate: Plate) -> VehiclePublic:
    return public(_vehicle(session, user, plate))


@router.patch("/{plate}")
def update_vehicle(
    session: SessionDep, user: CurrentUser, plate: Plate, body: VehicleUpdate
) -> VehiclePublic:
    """Put a vehicle in or out of service, change its crew (admin, dispatcher)."""
    v = _vehicle(session, user, plate)
    if user.role not in VEHICLE_WRITE:
        raise ApiError(403, f"a {user.role.value} may not change vehicles")
    fields = body.model_dump(exclude_unset=True)
    for attr in ("driver", "loader"):
        if attr in fields:
            code = fields[attr]
            staff = session.scalar(select(Staff).where(Staff.code == code)) if code else None
            if code and staff is None:
                raise InputError.single(attr, "unknown staff member", value=code)
            setattr(v, f"{attr}_id", staff.id if staff else None)
    if fields.get("status"):
        v.status = fields["status"]
    session.commit()
    session.refresh(v)
    return public(v)
