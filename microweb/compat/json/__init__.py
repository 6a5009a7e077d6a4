"""``flask.json``: JSON through the current app's provider (``app.json``)."""

from __future__ import annotations

import json as _json
import typing as t

from ..context import _current
from .provider import _default

if t.TYPE_CHECKING:
    from ...wrappers import Response


def _provider() -> t.Any:
    value = _current.get(None)
    return getattr(value.app, "json", None) if value is not None else None


def dumps(obj: t.Any, **kwargs: t.Any) -> str:
    """Serialize *obj* with the current app's provider, or Flask's defaults."""
    provider = _provider()
    if provider is not None:
        return t.cast(str, provider.dumps(obj, **kwargs))
    kwargs.setdefault("default", _default)
    return _json.dumps(obj, **kwargs)


def dump(obj: t.Any, fp: t.IO[str], **kwargs: t.Any) -> None:
    """Serialize *obj* into the file *fp*."""
    fp.write(dumps(obj, **kwargs))


def loads(s: str | bytes, **kwargs: t.Any) -> t.Any:
    """Deserialize the JSON string *s*."""
    provider = _provider()
    if provider is not None:
        return provider.loads(s, **kwargs)
    return _json.loads(s, **kwargs)


def load(fp: t.IO[t.AnyStr], **kwargs: t.Any) -> t.Any:
    """Deserialize the JSON in the file *fp*."""
    return loads(fp.read(), **kwargs)


def jsonify(*args: t.Any, **kwargs: t.Any) -> Response:
    """Return a JSON response through the current app's provider."""
    from ..helpers import jsonify as _jsonify

    return _jsonify(*args, **kwargs)
