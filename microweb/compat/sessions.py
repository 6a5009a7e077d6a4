"""``flask.sessions``: the session classes and interfaces, under Flask's names."""

from __future__ import annotations

from ..sessions import NullSession as NullSession
from ..sessions import SecureCookieSessionInterface as SecureCookieSessionInterface
from ..sessions import Session
from ..sessions import SessionInterface as SessionInterface
from ..sessions import SessionMixin as SessionMixin

#: The session class of the cookie session interface, as Flask names it.
SecureCookieSession = Session
