"""``flask.sessions``: the session classes and interfaces, under Flask's names.

:class:`SecureCookieSessionInterface` here signs cookies the way Flask 3.1
does (HMAC-SHA1, Flask's tagged JSON), so that an app that moved from
Flask keeps its users logged in and can still roll back to Flask. See
:ref:`from-flask` for moving on to the core's SHA-256 cookies.
"""

from __future__ import annotations

import hashlib
import typing as t

from .. import sessions as _core
from ..sessions import NullSession as NullSession
from ..sessions import Session
from ..sessions import SessionInterface as SessionInterface
from ..sessions import SessionMixin as SessionMixin
from .json.tag import TaggedJSONSerializer

#: The session class of the cookie session interface, as Flask names it.
SecureCookieSession = Session

#: The serializer Flask's cookie sessions are written with; register an
#: app's own :class:`~microweb.compat.json.tag.JSONTag` on it.
session_json_serializer = TaggedJSONSerializer()


class SecureCookieSessionInterface(_core.SecureCookieSessionInterface):
    """Keep the session in a cookie signed as Flask signs it: HMAC-SHA1, tagged JSON.

    A cookie Flask signed under the same ``SECRET_KEY`` (or one of
    ``SECRET_KEY_FALLBACKS``) opens the same session, and Flask opens the
    cookies this one writes. It also reads cookies of the core's
    :class:`microweb.sessions.SecureCookieSessionInterface` (HMAC-SHA256)
    and signs them anew as Flask would, so an app that tried the core's
    cookies can come back here, and then to Flask.
    """

    #: HMAC-SHA1, as Flask signs.
    digest_method: t.Callable[..., t.Any] = staticmethod(hashlib.sha1)
    #: The core's digest, read and re-signed with SHA-1.
    fallback_digest_methods: tuple[t.Callable[..., t.Any], ...] = (hashlib.sha256,)
    serializer: t.Any = session_json_serializer
    session_class = SecureCookieSession


__all__ = [
    "NullSession",
    "SecureCookieSession",
    "SecureCookieSessionInterface",
    "SessionInterface",
    "SessionMixin",
    "session_json_serializer",
]
