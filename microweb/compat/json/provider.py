"""``flask.json.provider``: how a Flask app writes and reads JSON (``app.json``)."""

from __future__ import annotations

import json
import typing as t
import weakref
from datetime import date

from werkzeug.http import http_date

from ...json import default as json_default

if t.TYPE_CHECKING:
    from ...app import App
    from ...wrappers import Response


class JSONProvider:
    """The JSON operations of an app; subclass it and set ``json_provider_class``."""

    def __init__(self, app: App) -> None:
        # A proxy, not a reference: the app owns its provider.
        self._app: App = t.cast("App", weakref.proxy(app))

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialize *obj* to a JSON string."""
        raise NotImplementedError

    def dump(self, obj: t.Any, fp: t.IO[str], **kwargs: t.Any) -> None:
        """Serialize *obj* into the file *fp*."""
        fp.write(self.dumps(obj, **kwargs))

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """Deserialize the JSON string *s*."""
        raise NotImplementedError

    def load(self, fp: t.IO[t.AnyStr], **kwargs: t.Any) -> t.Any:
        """Deserialize the JSON in the file *fp*."""
        return self.loads(fp.read(), **kwargs)

    def _prepare_response_obj(self, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]) -> t.Any:
        if args and kwargs:
            raise TypeError("app.json.response() takes either args or kwargs, not both")
        if not args and not kwargs:
            return None
        if len(args) == 1:
            return args[0]
        return args or kwargs

    def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """Return a JSON response of *args* or *kwargs*, as ``jsonify`` does."""
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self.dumps(obj), mimetype="application/json")


def _default(o: t.Any) -> t.Any:
    # Flask writes dates as HTTP dates; the rest as microweb does.
    if isinstance(o, date):
        return http_date(o)
    return json_default(o)


class DefaultJSONProvider(JSONProvider):
    """Flask's defaults: sorted keys, ASCII, dates as HTTP dates, pretty in debug."""

    default: t.Callable[[t.Any], t.Any] = staticmethod(_default)
    ensure_ascii = True
    sort_keys = True
    compact: bool | None = None
    mimetype = "application/json"

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialize *obj* with the provider's settings; *kwargs* win."""
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        return json.dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """Deserialize *s*."""
        return json.loads(s, **kwargs)

    def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """Return a JSON response; indented when debugging unless :attr:`compact`."""
        obj = self._prepare_response_obj(args, kwargs)
        dump_args: dict[str, t.Any] = {}
        if (self.compact is None and self._app.debug) or self.compact is False:
            dump_args.setdefault("indent", 2)
        else:
            dump_args.setdefault("separators", (",", ":"))
        return self._app.response_class(
            f"{self.dumps(obj, **dump_args)}\n", mimetype=self.mimetype
        )
