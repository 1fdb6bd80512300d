"""Uploaded CSV/XLSX files: saved to a private temporary file for the import services."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from fastapi import UploadFile

from models.errors import InputError

T = TypeVar("T")
SUFFIXES = (".csv", ".xlsx")


def with_upload(file: UploadFile, fn: Callable[[Path], T]) -> T:
    """Call ``fn`` with the upload saved under its own name (the import services read by suffix)."""
    name = Path(file.filename or "upload.csv").name
    if not name.lower().endswith(SUFFIXES):
        raise InputError.single("file", "must be .csv or .xlsx", value=name)
    with tempfile.TemporaryDirectory(prefix="dispatch-upload-") as tmp:
        path = Path(tmp) / name
        with path.open("wb") as out:
            while chunk := file.file.read(1 << 20):
                out.write(chunk)
        try:
            return fn(path)
        except (zipfile.BadZipFile, UnicodeError, KeyError, EOFError) as exc:
            raise InputError.single(
                "file", f"cannot be read as {path.suffix[1:].upper()}", value=name
            ) from exc


def counts(result: dict[str, Any]) -> dict[str, int]:
    return {k: int(v) for k, v in result.items() if isinstance(v, int)}
