"""Sessions in signed cookies, the interface to replace them, and flashing."""

from __future__ import annotations

import base64
import hashlib
import json
import typing as t
import uuid
from collections.abc import MutableMapping
from datetime import datetime, timedelta, timezone

from itsdangerous import BadData, URLSafeTimedSerializer
from markupsafe import Markup
from werkzeug.datastructures import CallbackDict
from werkzeug.http import dump_cookie, parse_date
from werkzeug.sansio.response import Response as _SansIOResponse

from .config import fallback_keys
from .helpers import MISSING, request_first, request_first_error
from .signing import CookieSigner, Settings
from .wrappers import Request

if t.TYPE_CHECKING:
    from .app import App
    from .wrappers import Response


class SessionMixin(MutableMapping[str, t.Any]):
    """What microweb needs of a session, on top of a mutable mapping."""

    #: The session did not come from the client.
    new = False
    #: Something was written; the cookie needs saving.
    modified = True
    #: Something was read or written; the response varies with the cookie.
    accessed = True

    @property
    def permanent(self) -> bool:
        """Keep the session for ``PERMANENT_SESSION_LIFETIME``, not until the browser closes."""
        return bool(self.get("_permanent", False))

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)


class Session(CallbackDict[str, t.Any], SessionMixin):
    """The default session: a dict that records whether it was read or changed."""

    new = False
    modified = False
    accessed = False

    def __init__(self, initial: t.Mapping[str, t.Any] | None = None) -> None:
        # perf: what CallbackDict.__init__ does, without its call and a
        # closure per session.
        if initial is None:
            dict.__init__(self)
        else:
            dict.__init__(self, initial)
        self.on_update = _mark_modified

    def __getitem__(self, key: str) -> t.Any:
        self.accessed = True
        return dict.__getitem__(self, key)

    def __setitem__(self, key: str, value: t.Any) -> None:
        # perf: werkzeug's wrapper calls on_update after the write; this
        # marks the session itself, two calls fewer per write.
        dict.__setitem__(self, key, value)
        on_update = self.on_update
        if on_update is _mark_modified:
            self.modified = True
            self.accessed = True
        elif on_update is not None:
            on_update(self)  # type: ignore[arg-type]  # werkzeug types it for its own Self

    def get(self, key: str, default: t.Any = None) -> t.Any:
        self.accessed = True
        return dict.get(self, key, default)

    def setdefault(self, key: str, default: t.Any = None) -> t.Any:
        self.accessed = True
        return super().setdefault(key, default)


def _mark_modified(session: Session) -> None:
    """The ``on_update`` of a :class:`Session`: it was written, and so read."""
    session.modified = True
    session.accessed = True


class NullSession(Session):
    """The session of an app without ``SECRET_KEY``: empty, and read-only."""

    def _fail(self, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        raise RuntimeError(
            "The session is unavailable because no secret key was set. Set"
            " SECRET_KEY in the app's config to a long random string, such as"
            " the output of 'python -c \"import secrets; print(secrets.token_hex())\"'."
        )

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail


#: The methods that give the session cookie's name and attributes.
_COOKIE_SETTINGS = frozenset(
    {
        "get_cookie_name",
        "get_cookie_domain",
        "get_cookie_path",
        "get_cookie_httponly",
        "get_cookie_secure",
        "get_cookie_samesite",
        "get_cookie_partitioned",
        "cookie_options",
    }
)


class SessionInterface:
    """Opens and saves sessions; assign an instance to ``app.session_interface``.

    Subclass it to keep sessions elsewhere, such as a server-side store
    keyed by a random cookie. The cookie settings come from the
    ``SESSION_COOKIE_*`` config keys through the ``get_cookie_*`` methods.
    """

    #: The class :meth:`make_null_session` returns.
    null_session_class: type[Session] = NullSession

    # Whether the class's get_cookie_* methods and cookie_options are
    # these, which only read the config: the cookie session then reads it
    # itself (unless an instance has its own).
    _config_cookie_settings = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._config_cookie_settings = all(
            getattr(cls, name) is getattr(SessionInterface, name) for name in _COOKIE_SETTINGS
        )

    def open_session(self, app: App, request: Request) -> SessionMixin | None:
        """Return the request's session, or ``None`` for a null session."""
        raise NotImplementedError

    def save_session(self, app: App, session: SessionMixin, response: Response) -> None:
        """Persist *session*, usually by setting a cookie on *response*."""
        raise NotImplementedError

    def make_null_session(self, app: App) -> SessionMixin:
        """Return a session that reads as empty and refuses writes."""
        return self.null_session_class()

    def is_null_session(self, session: object) -> bool:
        """Tell whether *session* came from :meth:`make_null_session`."""
        return isinstance(session, self.null_session_class)

    def get_cookie_name(self, app: App) -> str:
        return app.config["SESSION_COOKIE_NAME"]  # type: ignore[no-any-return]  # config values are Any

    def get_cookie_domain(self, app: App) -> str | None:
        return app.config["SESSION_COOKIE_DOMAIN"]  # type: ignore[no-any-return]  # config values are Any

    def get_cookie_path(self, app: App) -> str:
        return app.config["SESSION_COOKIE_PATH"] or app.config["APPLICATION_ROOT"]  # type: ignore[no-any-return]  # config values are Any

    def get_cookie_httponly(self, app: App) -> bool:
        return bool(app.config["SESSION_COOKIE_HTTPONLY"])

    def get_cookie_secure(self, app: App) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"])

    def get_cookie_samesite(self, app: App) -> str | None:
        return app.config["SESSION_COOKIE_SAMESITE"]  # type: ignore[no-any-return]  # config values are Any

    def get_cookie_partitioned(self, app: App) -> bool:
        return bool(app.config["SESSION_COOKIE_PARTITIONED"])

    def get_expiration_time(self, app: App, session: SessionMixin) -> datetime | None:
        """When a permanent session's cookie expires; ``None`` for a browser session."""
        if session.permanent:
            return datetime.now(timezone.utc) + session_lifetime(app)
        return None

    def should_set_cookie(self, app: App, session: SessionMixin) -> bool:
        """Write the cookie if the session changed, or to renew a permanent one."""
        return session.modified or (
            session.permanent and bool(app.config["SESSION_REFRESH_EACH_REQUEST"])
        )

    def cookie_options(self, app: App) -> dict[str, t.Any]:
        """The attributes shared by setting and deleting the cookie."""
        return {
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "httponly": self.get_cookie_httponly(app),
            "samesite": self.get_cookie_samesite(app),
            "partitioned": self.get_cookie_partitioned(app),
        }


def session_lifetime(app: App) -> timedelta:
    """``PERMANENT_SESSION_LIFETIME``, given as a ``timedelta`` or in seconds."""
    value = app.config["PERMANENT_SESSION_LIFETIME"]
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})

# perf: json.dumps with separators builds a JSONEncoder per call and goes
# through two Python methods to reach the C encoder; TaggedJSON.dumps
# calls it at once, with the settings json.dumps(..., separators=(",",
# ":")) gives it (ASCII, circular references checked, NaN allowed).
_PLAIN_ENCODER = json.JSONEncoder(separators=(",", ":"))
_json_default = _PLAIN_ENCODER.default
_encode_ascii: t.Any = json.encoder.encode_basestring_ascii
_make_c_encoder: t.Any = getattr(json.encoder, "c_make_encoder", None)
#: The scanner json.loads uses without an object hook (C if available).
_scan_plain: t.Any = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # set in __init__, untyped


def _is_plain(value: dict[t.Any, t.Any] | list[t.Any]) -> bool:
    """Tell whether *value* is plain JSON that needs no tags either way.

    That is str keys, and values that are str, int, float, bool, None, or
    plain lists and dicts of them, and no dict with a single key that
    starts with a space (which would read as a tag).
    """
    if value.__class__ is dict:
        if len(value) == 1:
            key = next(iter(value))
            if key.__class__ is not str or key[:1] == " ":
                return False
        for key, item in value.items():
            if key.__class__ is not str:
                return False
            if item.__class__ in _PLAIN_TYPES:
                continue
            if (item.__class__ is dict or item.__class__ is list) and _is_plain(item):
                continue
            return False
        return True
    for item in value:
        if item.__class__ in _PLAIN_TYPES:
            continue
        if (item.__class__ is dict or item.__class__ is list) and _is_plain(item):
            continue
        return False
    return True


class TaggedJSON:
    """JSON that also round-trips tuples, bytes, datetimes, UUIDs and Markup.

    Such a value is written as a one-key object whose key is a tag that
    starts with a space, which ordinary keys never do by accident; a dict
    that looks like a tag is itself wrapped, so nothing is misread.

    It also reads what Flask's session serializer writes (a datetime as
    an HTTP date, a tag-like dict as ``{" di": {key + "__": value}}``), so
    a cookie signed by Flask decodes to the same values; see
    :ref:`from-flask`.
    """

    def dumps(self, value: t.Any) -> str:
        if value.__class__ is dict and _make_c_encoder is not None and _is_plain(value):
            # perf: nothing to tag (the usual session): the C encoder at
            # once, without json.dumps's encoder object and the copy.
            encode = _make_c_encoder({}, _json_default, _encode_ascii, None, ":", ",", False, False, True)
            return "".join(encode(value, 0))
        return json.dumps(self._tag(value), separators=(",", ":"))

    def loads(self, value: str | bytes) -> t.Any:
        if value.__class__ is str:
            # perf: the C scanner without an object hook; the hook is
            # needed only if some object looks like a tag.
            try:
                obj, end = _scan_plain(value, 0)
            except StopIteration:
                end = -1
            if end == len(value):
                cls = obj.__class__
                if cls in _PLAIN_TYPES or ((cls is dict or cls is list) and _is_plain(obj)):
                    return obj
        return json.loads(value, object_hook=self._untag)

    def _tag(self, value: t.Any) -> t.Any:
        if isinstance(value, dict):
            first = next(iter(value), None)
            if len(value) == 1 and isinstance(first, str) and first.startswith(" "):
                # Looks like a tag: keep it as pairs, which nothing untags.
                return {" di": [[k, self._tag(v)] for k, v in value.items()]}
            return {k: self._tag(v) for k, v in value.items()}
        if isinstance(value, tuple):
            return {" t": [self._tag(v) for v in value]}
        if isinstance(value, list):
            return [self._tag(v) for v in value]
        if isinstance(value, bytes):
            return {" b": base64.b64encode(value).decode("ascii")}
        if isinstance(value, Markup):
            return {" m": str(value)}
        if isinstance(value, uuid.UUID):
            return {" u": value.hex}
        if isinstance(value, datetime):
            return {" d": value.isoformat()}
        return value

    def _untag(self, obj: dict[str, t.Any]) -> t.Any:
        if len(obj) != 1:
            return obj
        key, value = next(iter(obj.items()))
        if key == " t":
            return tuple(value)
        if key == " b":
            return base64.b64decode(value, validate=True)
        if key == " m":
            return Markup(value)
        if key == " u":
            return uuid.UUID(hex=value)
        if key == " d":
            return datetime_from_tag(value)
        if key == " di":
            return dict_from_tag(value)
        return obj


def datetime_from_tag(value: str) -> datetime:
    """Read the datetime of a ``" d"`` tag: ISO 8601 (microweb) or an HTTP date (Flask).

    :raises ValueError: If *value* is neither.
    """
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        parsed = parse_date(value)
        if parsed is None:
            raise
        return parsed


def dict_from_tag(value: list[list[t.Any]] | dict[str, t.Any]) -> dict[str, t.Any]:
    """Read the tag-like dict of a ``" di"`` tag.

    microweb writes its items as ``[key, value]`` pairs; Flask writes
    ``{key + "__": value}``, a key that no longer looks like a tag.

    :raises ValueError: If *value* is neither.
    """
    if isinstance(value, dict):
        if len(value) != 1 or not next(iter(value)).endswith("__"):
            raise ValueError("a ' di' tag holds one key ending in '__'")
        key, item = next(iter(value.items()))
        return {key[:-2]: item}
    pairs = dict(value)
    if not all(isinstance(key, str) for key in pairs):
        raise ValueError("a ' di' tag's keys are strings")
    return pairs


class SecureCookieSessionInterface(SessionInterface):
    """Keep the session in a cookie signed with ``SECRET_KEY`` (HMAC-SHA256).

    ``SECRET_KEY_FALLBACKS`` are accepted when reading, so a key can be
    rotated without logging everyone out. A cookie that fails to verify,
    has expired or does not decode gives an empty session.

    :param accept_sha1: Also accept cookies signed with HMAC-SHA1, as
        Flask and ``microweb.compat`` sign them, and sign each one anew
        with :attr:`digest_method` on the response to the request that
        read it. Turn it on when an app leaves Flask or the compatibility
        layer, and off again after ``PERMANENT_SESSION_LIFETIME``; see
        :ref:`from-flask`.
    """

    salt = "cookie-session"
    #: The HMAC digest new cookies are signed with.
    digest_method: t.Callable[..., t.Any] = staticmethod(hashlib.sha256)
    #: Digests also accepted when reading. A session read from a cookie
    #: signed with one of them is marked modified, so that the response
    #: signs it again with :attr:`digest_method`.
    fallback_digest_methods: tuple[t.Callable[..., t.Any], ...] = ()
    #: How itsdangerous derives the signing key from the secret key.
    key_derivation = "hmac"
    #: Turns the session into text and back: ``dumps`` and ``loads``.
    serializer: t.Any = TaggedJSON()
    session_class = Session

    def __init__(self, *, accept_sha1: bool = False) -> None:
        if accept_sha1:
            self.fallback_digest_methods = (*self.fallback_digest_methods, hashlib.sha1)

    def get_signing_serializer(self, app: App) -> URLSafeTimedSerializer | None:
        """Return the signer for *app*'s keys, or ``None`` without ``SECRET_KEY``.

        It signs with ``SECRET_KEY`` and :attr:`digest_method`, and
        verifies with every key and every accepted digest.
        """
        secret_key = app.config["SECRET_KEY"]
        if not secret_key:
            return None
        # itsdangerous signs with the last key and verifies with all of them.
        keys = [*fallback_keys(app.config), secret_key]
        return URLSafeTimedSerializer(
            keys,
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
            fallback_signers=[
                {"key_derivation": self.key_derivation, "digest_method": digest}
                for digest in self.fallback_digest_methods
            ],
        )

    def _cookie_signer(self, app: App) -> CookieSigner | None:
        """The :class:`~microweb.signing.CookieSigner` for *app*'s keys and this interface's settings.

        It is made once and kept until a setting changes. ``None`` without
        ``SECRET_KEY``.
        """
        config = app.config
        secret_key = config["SECRET_KEY"]
        if not secret_key:
            return None
        settings: Settings = (
            secret_key,
            fallback_keys(config),
            self.salt,
            self.key_derivation,
            self.digest_method,
            tuple(self.fallback_digest_methods),
            self.serializer,
        )
        signer = self.__dict__.get("_signer")
        if signer is None or signer.settings != settings:
            signer = CookieSigner(settings)
            self.__dict__["_signer"] = signer
        return signer

    def open_session(self, app: App, request: Request) -> Session | None:
        if type(self).get_signing_serializer is not _get_signing_serializer:
            return self._open_with_serializer(app, request)
        signer = self._cookie_signer(app)
        if signer is None:
            return None
        if self._config_cookie_settings and self.__dict__.keys().isdisjoint(_COOKIE_SETTINGS):
            name = app.config["SESSION_COOKIE_NAME"]  # perf: get_cookie_name's call
        else:
            name = self.get_cookie_name(app)
        value = request.cookies.get(name)
        if not value:
            return self.session_class()
        loaded = signer.loads(value, int(session_lifetime(app).total_seconds()))
        if loaded is None or not isinstance(loaded[0], dict):
            # Tampered, expired, truncated or undecodable: start afresh.
            return self.session_class()
        session = self.session_class(loaded[0])
        if loaded[1]:
            # Signed with an old digest: sign it anew on this response, so
            # that the old digest can be dropped after the session lifetime.
            session.modified = True
        return session

    def _open_with_serializer(self, app: App, request: Request) -> Session | None:
        """Open the session with :meth:`get_signing_serializer`, which a subclass replaced."""
        signer = self.get_signing_serializer(app)
        if signer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(session_lifetime(app).total_seconds())
        try:
            data = signer.loads(value, max_age=max_age)
        except (BadData, ValueError, TypeError, KeyError):
            return self.session_class()
        if not isinstance(data, dict):
            return self.session_class()
        session = self.session_class(data)
        if self.fallback_digest_methods and not signer.make_signer().validate(value):
            session.modified = True
        return session

    def save_session(self, app: App, session: SessionMixin, response: Response) -> None:
        if self.is_null_session(session):
            return
        # A response that depends on the cookie, or sets it, must not be
        # served from a shared cache to another client.
        varied = False
        if session.accessed:
            _vary_on_cookie(response)
            varied = True
        if self._config_cookie_settings and self.__dict__.keys().isdisjoint(_COOKIE_SETTINGS):
            # perf: what get_cookie_name and cookie_options would return,
            # without their eight calls.
            config = app.config
            name = config["SESSION_COOKIE_NAME"]
            options = {
                "domain": config["SESSION_COOKIE_DOMAIN"],
                "path": config["SESSION_COOKIE_PATH"] or config["APPLICATION_ROOT"],
                "secure": bool(config["SESSION_COOKIE_SECURE"]),
                "httponly": bool(config["SESSION_COOKIE_HTTPONLY"]),
                "samesite": config["SESSION_COOKIE_SAMESITE"],
                "partitioned": bool(config["SESSION_COOKIE_PARTITIONED"]),
            }
        else:
            name = self.get_cookie_name(app)
            options = self.cookie_options(app)
        if not session:
            if session.modified:
                response.delete_cookie(name, **options)
                if not varied:
                    _vary_on_cookie(response)
            return
        if not self.should_set_cookie(app, session):
            return
        if type(self).get_signing_serializer is _get_signing_serializer:
            signer = self._cookie_signer(app)
            assert signer is not None  # a null session would have returned above
            value = signer.dumps(dict(session))
            signed_here = True
        else:
            serializer = self.get_signing_serializer(app)
            assert serializer is not None
            value = serializer.dumps(dict(session))
            signed_here = False
        expires = self.get_expiration_time(app, session)
        if (
            expires is None
            and signed_here
            and value.__class__ is str
            and type(response).set_cookie is _werkzeug_set_cookie
        ):
            # perf: werkzeug's dump_cookie quotes the path and checks every
            # option for each cookie; the text after the value is the same
            # for every session cookie of these options, so it is kept, and
            # the signed value (URL-safe base64 and dots) needs no quoting.
            key = (name, *options.values())
            cached = self.__dict__.get("_cookie_template")
            if cached is None or cached[0] != key:
                cached = (key, _cookie_template(name, options))
                self.__dict__["_cookie_template"] = cached
            template: tuple[str, str] | None = cached[1]
            cookie = None if template is None else template[0] + value + template[1]
            if cookie is not None and len(cookie) <= 4093:
                response.headers.add("Set-Cookie", cookie)
            else:
                # werkzeug's own way; it warns of a cookie that is too large.
                response.set_cookie(name, value, **options)
        else:
            response.set_cookie(name, value, expires=expires, **options)  # type: ignore[arg-type]  # a text serializer's value
        if not varied:
            _vary_on_cookie(response)


_get_signing_serializer = SecureCookieSessionInterface.get_signing_serializer
_werkzeug_set_cookie = _SansIOResponse.set_cookie


def _cookie_template(name: str, options: dict[str, t.Any]) -> tuple[str, str] | None:
    """Return what werkzeug's ``dump_cookie`` writes before and after a cookie's value.

    Only for a value that needs no quoting, as a signed session is.
    ``None`` if a probe value does not come out as head, value, tail.
    """
    empty = dump_cookie(name, "", **options)
    head = f"{name.encode().decode('latin1')}="
    tail = empty[len(head) :]
    if not empty.startswith(head) or dump_cookie(name, "pr.o-b_e", **options) != (
        f"{head}pr.o-b_e{tail}"
    ):
        return None
    return head, tail


def _vary_on_cookie(response: Response) -> None:
    """Add ``Cookie`` to the response's ``Vary`` header."""
    headers = response.headers
    if headers.getlist("Vary"):
        response.vary.add("Cookie")
    else:
        # perf: what vary.add gives a response without Vary, without
        # parsing the header into a set and writing it back (20 calls).
        headers.add("Vary", "Cookie")


def _stored_flashes(stored: object) -> list[tuple[str, str]]:
    """Return the ``(category, message)`` pairs of a session's ``_flashes``.

    Anything else stored there is read as no messages, never a 500: the
    cookie is signed, but another app or version with the same key may
    have written it.
    """
    if not isinstance(stored, (list, tuple)):
        return []
    flashes = []
    for pair in stored:
        if not (
            isinstance(pair, (list, tuple))
            and len(pair) == 2
            and isinstance(pair[0], str)
            and isinstance(pair[1], str)
        ):
            return []
        flashes.append((pair[0], pair[1]))
    return flashes


@request_first
def flash(request: Request, message: str, category: str = "message") -> None:
    """Keep *message* in the session to show on a later page.

    :param request: The request being handled.
    :param category: Such as ``"message"``, ``"error"`` or ``"info"``.
    :raises TypeError: If *request* is not a :class:`~microweb.Request`.
    """
    if not isinstance(request, Request) or message is MISSING:
        raise request_first_error(flash, request, message, category=category)
    flashes = _stored_flashes(request.session.get("_flashes", []))
    flashes.append((category, message))
    request.session["_flashes"] = flashes


@request_first
def get_flashed_messages(
    request: Request,
    with_categories: bool = False,
    category_filter: t.Iterable[str] = (),
) -> list[t.Any]:
    """Return the flashed messages and remove them from the session.

    Every call during one request returns the same messages.

    :param with_categories: Return ``(category, message)`` pairs.
    :param category_filter: Only these categories.
    :raises TypeError: If *request* is not a :class:`~microweb.Request`.
    """
    if not isinstance(request, Request):
        raise request_first_error(
            get_flashed_messages,
            request,
            with_categories=with_categories,
            category_filter=category_filter,
        )
    flashes: list[tuple[str, str]] | None = request.__dict__.get("_flashes")
    if flashes is None:
        session = request.session
        stored = session.pop("_flashes") if "_flashes" in session else []
        flashes = _stored_flashes(stored)
        request.__dict__["_flashes"] = flashes
    if category_filter:
        wanted = set(category_filter)
        flashes = [f for f in flashes if f[0] in wanted]
    if with_categories:
        return flashes
    return [message for _, message in flashes]
