"""``flask.wrappers``: the request and response classes."""

from __future__ import annotations

import typing as t

from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Request as _WerkzeugRequest
from werkzeug.wrappers import Response as _WerkzeugResponse

from .. import wrappers as _core
from . import json as _json
from .context import current

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    from ..app import App


def _config_limit(key: str, name: str) -> t.Any:
    """A request limit: set on the request, else the app's ``config[key]``, else werkzeug's."""

    def get(self: Request) -> t.Any:
        if name in self.__dict__:
            return self.__dict__[name]
        app = self.app if self.app is not None else _bound_app()
        if app is None:
            return getattr(_WerkzeugRequest, name)
        return app.config[key]

    def set(self: Request, value: t.Any) -> None:
        self.__dict__[name] = value

    return property(get, set, doc=f"``{key}`` of the app's config, unless set on the request.")


def _bound_app() -> App | None:
    value = current()
    return value.app if value is not None else None


class Request(_core.Request):
    """:class:`microweb.Request` that reads JSON with the app's provider, as Flask's does.

    It may be made without an app, ``Request(environ)``: its limits
    (``max_content_length``, ``max_form_memory_size``, ``max_form_parts``)
    then come from the bound app's config, or werkzeug's defaults outside
    one. Each may also be set on the request.
    """

    #: ``get_json`` parses with ``microweb.compat.json.loads``: ``app.json``.
    json_module: t.Any = _json

    def __init__(
        self,
        environ: WSGIEnvironment,
        app: App | None = None,
        populate_request: bool = True,
        shallow: bool = False,
    ) -> None:
        super().__init__(environ, app)  # type: ignore[arg-type]  # None: see the class's doc
        self.shallow = shallow
        if populate_request and not shallow:
            environ["werkzeug.request"] = self

    max_content_length = _config_limit("MAX_CONTENT_LENGTH", "max_content_length")
    max_form_memory_size = _config_limit("MAX_FORM_MEMORY_SIZE", "max_form_memory_size")
    max_form_parts = _config_limit("MAX_FORM_PARTS", "max_form_parts")

    def _load_form_data(self) -> None:
        super()._load_form_data()
        app = self.app
        if (
            app is not None
            and app.debug
            and self.mimetype != "multipart/form-data"
            and not self.__dict__.get("files")
        ):
            # A debugging aid: a file field sent without multipart/form-data
            # arrives as text; say so instead of a bare KeyError.
            from .debughelpers import FilesExplained

            self.__dict__["files"] = FilesExplained(self)

    def on_json_loading_failed(self, e: ValueError | None) -> t.Any:
        """Answer invalid JSON with a 400 that says why only in debug mode, as Flask does."""
        if e is None:
            return super().on_json_loading_failed(e)
        if self.app.debug:
            raise BadRequest(f"Failed to decode JSON object: {e}")
        raise BadRequest() from e


class Response(_core.Response):
    """:class:`microweb.Response` whose cookies are checked against the bound app's ``MAX_COOKIE_SIZE``."""

    @property
    def max_cookie_size(self) -> int:  # type: ignore[override]  # werkzeug declares an attribute
        """``MAX_COOKIE_SIZE`` of the bound app's config, else werkzeug's default; 0 turns the warning off."""
        app = _bound_app()
        default: int = _WerkzeugResponse.max_cookie_size
        if app is None:
            return default
        return int(app.config.get("MAX_COOKIE_SIZE", default))


__all__ = ["Request", "Response"]
