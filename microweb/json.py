"""How microweb writes JSON: compact, UTF-8, and aware of a few more types."""

from __future__ import annotations

import dataclasses
import decimal
import json
import typing as t
import uuid
from datetime import date, datetime, time
from json import encoder as _json_encoder


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


#: The settings of every document :func:`dumps` writes.
_ENCODER = json.JSONEncoder(default=default, ensure_ascii=False, separators=(",", ":"))

# perf: json.dumps with settings builds a JSONEncoder per call and goes
# through two Python methods before the C encoder; this calls it at once,
# with what JSONEncoder.iterencode would give it (a fresh dict of markers
# finds circular references). None if the C accelerator is missing.
_make_c_encoder: t.Any = getattr(_json_encoder, "c_make_encoder", None)
_encode_str: t.Any = _json_encoder.encode_basestring


def dumps(obj: t.Any) -> str:
    """Serialize *obj* to compact JSON.

    Besides what :mod:`json` knows, dates and times become ISO 8601
    strings, ``Decimal`` and ``UUID`` strings, dataclasses objects, and
    objects with ``__html__`` (such as ``Markup``) their HTML.
    """
    if _make_c_encoder is None:
        return _ENCODER.encode(obj)
    encode = _make_c_encoder({}, default, _encode_str, None, ":", ",", False, False, True)
    return "".join(encode(obj, 0))
