"""A signed-cookie session for the frameworks that have none (Falcon, Bottle).

Flask and microweb keep the session in a cookie signed by itsdangerous
(JSON, HMAC, a timestamp). Falcon has no session, and Bottle's signed
cookies pickle their value, so for the session workload those two get
the least code that does the same job the same way: read the cookie,
check its signature, decode it, and sign and write it back when it
changed, ``HttpOnly``, ``SameSite=Lax``, with ``Vary: Cookie``.
"""

from __future__ import annotations

import typing as t

from itsdangerous import BadSignature, URLSafeTimedSerializer

from .. import workloads as w

#: One month, as Flask's permanent-session default; checked on reading.
MAX_AGE = 31 * 24 * 3600


class CookieSession:
    """Loads and dumps session dicts with one serializer, made once per app."""

    def __init__(self) -> None:
        self.serializer = URLSafeTimedSerializer(w.SECRET_KEY, salt="cookie-session")

    def load(self, value: str | None) -> dict[str, t.Any]:
        if not value:
            return {}
        try:
            data = self.serializer.loads(value, max_age=MAX_AGE)
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}

    def dump(self, data: dict[str, t.Any]) -> str:
        return self.serializer.dumps(data)
