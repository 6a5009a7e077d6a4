"""``flask.json``: JSON as microweb writes it."""

from __future__ import annotations

import json as _json
import typing as t

from ..json import dumps as _dumps
from .helpers import jsonify as jsonify


def dumps(obj: t.Any, **kwargs: t.Any) -> str:
    """Serialize *obj* as :func:`microweb.json.dumps` does; keyword arguments go to :func:`json.dumps`."""
    if not kwargs:
        return _dumps(obj)
    kwargs.setdefault("default", _json_default)
    return _json.dumps(obj, **kwargs)


def loads(s: str | bytes, **kwargs: t.Any) -> t.Any:
    """Deserialize JSON *s*."""
    return _json.loads(s, **kwargs)


def _json_default(o: t.Any) -> t.Any:
    # The core's conversions (dates, UUID, Decimal, dataclasses, Markup),
    # through its public dumps.
    return _json.loads(_dumps(o))
