"""Signed session cookies in itsdangerous's format, with the keys set up once.

:class:`CookieSigner` writes and reads exactly what itsdangerous's
``URLSafeTimedSerializer`` writes and reads, and derives its keys with
itsdangerous's own :class:`~itsdangerous.Signer`; what it saves is the
work itsdangerous repeats for every cookie (a new serializer and signer,
the key derived again, some 60 Python calls a round trip). The HMAC is
the standard library's, keyed once and copied for each cookie.
"""

from __future__ import annotations

import hmac
import struct
import time
import typing as t
import zlib
from binascii import a2b_base64, b2a_base64
from hmac import compare_digest
from math import ceil, log2
from operator import mul

from itsdangerous import Signer

if t.TYPE_CHECKING:
    from hmac import HMAC

#: What a signer is made from, in this order: the secret key, the
#: fallback keys (oldest first), the salt, the key derivation, the digest,
#: the other accepted digests, and the serializer. A signer is made anew
#: when any of them changes.
Settings = t.Tuple[
    t.Union[str, bytes],
    t.Tuple[t.Union[str, bytes], ...],
    t.Union[str, bytes],
    str,
    t.Callable[..., t.Any],
    t.Tuple[t.Callable[..., t.Any], ...],
    t.Any,
]

#: What base64's URL-safe functions translate; in C, with binascii.
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")
_unpack_timestamp = struct.Struct(">Q").unpack
_pack_timestamp = struct.Struct(">Q").pack


def _cannot_shrink(data: bytes) -> bool:
    """Tell whether ``zlib.compress(data)`` is surely not shorter than ``len(data) - 1``.

    itsdangerous compresses every payload and keeps the result only if it
    is shorter by two bytes or more. A short payload without a repeated
    three-byte string (deflate's shortest match) has nothing but literals
    to write, and for a few dozen bytes a lower bound on what deflate
    writes shows that it cannot win:

    - the zlib header and checksum are 6 bytes;
    - a fixed-code block spends at least 8 bits per literal, 3 on the
      block header and 7 on the end code;
    - a dynamic block spends at least 29 bits on its header (3, then 14
      of counts, then at least four 3-bit code lengths), 1 on the code
      lengths and 1 on the end code, and on the literals no less than
      their count times their entropy (any prefix code does);
    - a stored block is longer than the data.

    Input this short is written as one block.
    """
    # perf: zlib.compress sets up about 256 KiB of state per call, some
    # 90,000 instructions, more than the rest of a session round trip's
    # signing; a typical small session cannot gain from it.
    n = len(data)
    if n <= 9:
        return True  # zlib never writes fewer than 8 bytes
    # The three-byte strings, as tuples (in C: no comprehension's call).
    if n > 32 or len(set(zip(data, data[1:], data[2:]))) != n - 2:
        return False
    counts = list(map(data.count, set(data)))
    literal_bits: float = n * log2(n) - sum(map(mul, counts, map(log2, counts)))
    # The small margin keeps rounding from ever raising the bound.
    least_bits = min(31 + literal_bits - 1e-6, 10 + 8 * n)
    return 6 + ceil(least_bits / 8) >= n - 1


class CookieSigner:
    """Signs and verifies session cookies as itsdangerous does, keys derived once.

    The cookie is the format of itsdangerous's ``URLSafeTimedSerializer``:
    the payload in URL-safe base64 (``"."`` and zlib-compressed if that
    is shorter), ``"."``, the time in seconds as big-endian bytes in
    base64, ``"."``, and the HMAC of all that.

    :param settings: What the signer is made from (see :data:`Settings`);
        the caller makes a new one when they change.
    """

    __slots__ = ("settings", "serializer", "text", "signing", "verifiers")

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        secret_key, fallbacks, salt, derivation, digest_method, fallback_digests, serializer = (
            settings
        )
        self.serializer = serializer
        self.text = isinstance(serializer.dumps({}), str)

        def keyed(key: str | bytes, digest: t.Callable[..., t.Any]) -> HMAC:
            # itsdangerous's key derivation, then the HMAC of the derived
            # key, set up once: signing a cookie copies it.
            signer = Signer(key, salt=salt, key_derivation=derivation, digest_method=digest)
            return hmac.new(signer.derive_key(), digestmod=digest)

        #: The HMAC of the signing key: the newest one, SECRET_KEY.
        self.signing = keyed(secret_key, digest_method)
        #: (HMAC, is the signing digest) for each key and accepted digest,
        #: newest key first, as itsdangerous tries them.
        self.verifiers = [
            (keyed(key, digest), digest is digest_method)
            for digest in (digest_method, *fallback_digests)
            for key in (secret_key, *reversed(fallbacks))
        ]

    def loads(self, value: str, max_age: int) -> tuple[t.Any, bool] | None:
        """Return the data of a cookie and whether it needs signing anew.

        ``None`` if the cookie is tampered with, expired, or undecodable.
        """
        try:
            signed, sep, signature = value.encode().rpartition(b".")
            if not sep:
                return None
            signature = a2b_base64(
                signature.translate(_FROM_URLSAFE) + b"=" * (-len(signature) % 4)
            )
        except ValueError:
            return None
        for keyed, current in self.verifiers:
            mac = keyed.copy()
            mac.update(signed)
            if compare_digest(signature, mac.digest()):
                break
        else:
            return None
        payload, sep, stamp = signed.rpartition(b".")
        if not sep:
            return None
        try:
            then = _unpack_timestamp(
                a2b_base64(stamp.translate(_FROM_URLSAFE) + b"=" * (-len(stamp) % 4)).rjust(
                    8, b"\0"
                )
            )[0]
        except Exception:
            return None
        age = int(time.time()) - then
        if age > max_age or age < 0:
            return None
        try:
            if payload[:1] == b".":
                payload = payload[1:]
                decoded = zlib.decompress(
                    a2b_base64(payload.translate(_FROM_URLSAFE) + b"=" * (-len(payload) % 4))
                )
            else:
                decoded = a2b_base64(
                    payload.translate(_FROM_URLSAFE) + b"=" * (-len(payload) % 4)
                )
            return self.serializer.loads(decoded.decode() if self.text else decoded), not current
        except Exception:
            # itsdangerous turns any error of the payload into BadPayload.
            return None

    def dumps(self, data: t.Any) -> str | bytes:
        """Return the signed cookie value of *data*."""
        dumped = self.serializer.dumps(data)
        if dumped.__class__ is not bytes:
            dumped = dumped.encode()
        if _cannot_shrink(dumped):
            compressed = dumped
        else:
            compressed = zlib.compress(dumped)
        if len(compressed) < len(dumped) - 1:
            payload = b"." + b2a_base64(compressed, newline=False).translate(_TO_URLSAFE).rstrip(b"=")
        else:
            payload = b2a_base64(dumped, newline=False).translate(_TO_URLSAFE).rstrip(b"=")
        stamp = _pack_timestamp(int(time.time())).lstrip(b"\0")
        signed = payload + b"." + b2a_base64(stamp, newline=False).translate(_TO_URLSAFE).rstrip(b"=")
        mac = self.signing.copy()
        mac.update(signed)
        signature = mac.digest()
        signed += b"." + b2a_base64(signature, newline=False).translate(_TO_URLSAFE).rstrip(b"=")
        return signed.decode() if self.text else signed
