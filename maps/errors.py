"""Errors of the road-network layer.

:class:`RoutingError` (no road between two points; names both ids) is the
project-wide one from ``models.errors``, re-exported here so that ``maps``
callers need not know where it lives.
"""

from __future__ import annotations

from models.errors import DispatchError, InputError, RoutingError


class NetworkFileError(DispatchError):
    """A stored road network file is missing, unreadable or not a network."""


__all__ = ["DispatchError", "InputError", "NetworkFileError", "RoutingError"]
