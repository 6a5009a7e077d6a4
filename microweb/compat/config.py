"""``flask.config``: the config, reading ``FLASK_`` variables by default."""

from __future__ import annotations

import json
import typing as t

from .. import config as _core


class Config(_core.Config):
    """:class:`microweb.Config` whose :meth:`from_prefixed_env` reads ``FLASK_*`` by default."""

    def from_prefixed_env(
        self, prefix: str = "FLASK", *, loads: t.Callable[[str], t.Any] = json.loads
    ) -> bool:
        """Take every environment variable named ``{prefix}_KEY``; see :meth:`microweb.Config.from_prefixed_env`."""
        return super().from_prefixed_env(prefix, loads=loads)

    def from_mapping(
        self,
        mapping: t.Mapping[str, t.Any] | t.Iterable[tuple[str, t.Any]] | None = None,
        **kwargs: t.Any,
    ) -> bool:
        """Take the UPPERCASE keys of *mapping*, which may also be ``(key, value)`` pairs, and of *kwargs*."""
        return super().from_mapping(dict(mapping or ()), **kwargs)
