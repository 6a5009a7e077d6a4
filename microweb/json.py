"""How microweb writes JSON: compact, UTF-8, and aware of a few more types."""

from __future__ import annotations

import dataclasses
import decimal
import json
import typing as t
import uuid
from datetime import date, datetime, time


def default(o: t.Any) -> t.Any:
    """Serialize what :mod:`json` does not know; see :func:`dumps`."""
    if isinstance(o, (datetime, date, time)):
        return o.isoformat()
    if isinstance(o, (decimal.Decimal, uuid.UUID)):
        return str(o)
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return dataclasses.asdict(o)
    if hasattr(o, "__html__"):
        return str(o.__html__())
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def dumps(obj: t.Any) -> str:
    """Serialize *obj* to compact JSON.

    Besides what :mod:`json` knows, dates and times become ISO 8601
    strings, ``Decimal`` and ``UUID`` strings, dataclasses objects, and
    objects with ``__html__`` (such as ``Markup``) their HTML.
    """
    return json.dumps(obj, default=default, ensure_ascii=False, separators=(",", ":"))
