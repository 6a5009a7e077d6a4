"""CSRF protection: a per-session token that unsafe requests must send back.

Turned on with ``CSRF_ENABLED = True``. Forms carry the token from
``csrf_token()`` in the ``CSRF_FIELD_NAME`` field; scripts send it in the
``CSRF_HEADER_NAME`` header.
"""

from __future__ import annotations

import functools
import hmac
import secrets
import typing as t

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from werkzeug.exceptions import BadRequest

from .config import fallback_keys
from .helpers import request_first, request_first_error
from .routing import blueprint_chain
from .wrappers import Request

if t.TYPE_CHECKING:
    from .app import App
    from .registration import Target

F = t.TypeVar("F")

#: The methods that must carry a token.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SESSION_KEY = "_csrf_token"
_SALT = "microweb-csrf"


class CSRFError(BadRequest):
    """A request that needed a valid CSRF token did not send one (400)."""

    description = "The CSRF token is missing."


def _serializer(request: Request) -> URLSafeTimedSerializer:
    secret_key = request.app.config["SECRET_KEY"]
    if not secret_key:
        raise RuntimeError(
            "CSRF protection needs SECRET_KEY in the app's config, set to a"
            " long random string."
        )
    keys = [*fallback_keys(request.app.config), secret_key]
    return URLSafeTimedSerializer(keys, salt=_SALT)


@request_first
def generate_csrf(request: Request) -> str:
    """Return the signed CSRF token for *request*'s session.

    The session keeps one random token; each request signs it once, so
    every form on a page carries the same value.

    :raises RuntimeError: If ``SECRET_KEY`` is not set.
    :raises TypeError: If *request* is not a :class:`~microweb.Request`.
    """
    if not isinstance(request, Request):
        raise request_first_error(generate_csrf, request)
    cached: str | None = request.__dict__.get("_csrf_signed")
    if cached is None:
        raw = request.session.get(_SESSION_KEY)
        if not raw:
            raw = request.session[_SESSION_KEY] = secrets.token_hex(32)
        cached = request.__dict__["_csrf_signed"] = _serializer(request).dumps(raw)
    return cached


def csrf_protect(request: Request) -> None:
    """Refuse an unsafe request without a valid token: the before-hook.

    :raises CSRFError: If the token is missing, invalid or expired.
    """
    if request.method not in UNSAFE_METHODS:
        return
    config = request.app.config
    token = request.headers.get(config["CSRF_HEADER_NAME"]) or request.form.get(
        config["CSRF_FIELD_NAME"]
    )
    if not token:
        raise CSRFError()
    try:
        raw = _serializer(request).loads(token, max_age=config["CSRF_TIME_LIMIT"])
    except SignatureExpired:
        raise CSRFError("The CSRF token has expired; reload the page and try again.") from None
    except BadData:
        raise CSRFError("The CSRF token is invalid.") from None
    expected = request.session.get(_SESSION_KEY)
    if not (isinstance(raw, str) and expected and hmac.compare_digest(raw, expected)):
        raise CSRFError("The CSRF token does not match this session.")


def csrf_exempt(view_or_blueprint: F) -> F:
    """Exempt a view, or every view of a blueprint, from CSRF protection.

    For a JSON API with its own authentication::

        @csrf_exempt
        @api.post("/hook")
        def hook(request): ...

        csrf_exempt(api)  # or the whole blueprint, nested ones included

    The mark is read on the first request, so the order of the decorators
    does not matter.
    """
    view_or_blueprint._csrf_exempt = True  # type: ignore[attr-defined]  # a mark read by is_exempt
    return view_or_blueprint


def is_exempt(app: App, view: t.Callable[..., t.Any], blueprints: tuple[str, ...]) -> bool:
    """Tell whether *view*, or one of its *blueprints*, was exempted."""
    if getattr(view, "_csrf_exempt", False):
        return True
    return any(getattr(app.blueprints.get(name), "_csrf_exempt", False) for name in blueprints)


def csrf_step(app: App, view: t.Callable[..., t.Any], target: Target) -> t.Callable[..., t.Any]:
    """Protect a view that accepts unsafe methods: a registration step.

    When ``CSRF_ENABLED`` is on, it wraps each view of an endpoint that
    accepts ``POST``, ``PUT``, ``PATCH`` or ``DELETE`` and is not
    :func:`csrf_exempt`, so the token is checked after the before-hooks
    and before the view. Every other callable comes back unchanged, so an
    app without CSRF protection pays nothing for it.
    """
    if (
        target.role != "view"
        or not target.takes_request  # no request to check; see registration.Step
        or not app.config["CSRF_ENABLED"]
        or not (target.methods & UNSAFE_METHODS)
        or is_exempt(app, view, blueprint_chain(target.endpoint or ""))
    ):
        return view

    @functools.wraps(view)
    def protected(request: Request, /, *args: t.Any, **kwargs: t.Any) -> t.Any:
        csrf_protect(request)
        return view(request, *args, **kwargs)

    return protected
