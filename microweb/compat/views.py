"""``flask.views``: class-based views, once the core has them."""

from __future__ import annotations

import typing as t


def __getattr__(name: str) -> t.Any:
    # microweb.views (View, MethodView) is being added to the core; read
    # it when first asked for, so this module imports without it.
    if name in {"View", "MethodView"}:
        from .. import views

        return getattr(views, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
