"""``flask.views``: class-based views whose methods do not take the request.

Flask's ``dispatch_request(self, **view_args)`` and ``get(self,
**view_args)`` read the request from the proxy. For the explicit style,
use :mod:`microweb.views`, whose methods take it first.
"""

from __future__ import annotations

import typing as t

from .. import views as _core
from .context import current_request

if t.TYPE_CHECKING:
    from ..typing import ResponseReturnValue


class View(_core.View):
    """A class-based view written Flask's way: ``dispatch_request(self, **view_args)``."""

    def dispatch_request(self, **kwargs: t.Any) -> ResponseReturnValue:
        """Handle the current request; called with the rule's arguments by name."""
        raise NotImplementedError()

    @classmethod
    def view_caller(
        cls, class_args: tuple[t.Any, ...], class_kwargs: dict[str, t.Any]
    ) -> t.Callable[..., ResponseReturnValue]:
        """Return ``view(**view_args)``, which calls ``dispatch_request`` without the request."""
        if cls.init_every_request:

            def view(**kwargs: t.Any) -> ResponseReturnValue:
                # The class as_view set on the view, which a test may replace.
                view_class = getattr(view, "view_class", cls)
                self = view_class(*class_args, **class_kwargs)
                return self.dispatch_request(**kwargs)

        else:
            instance = cls(*class_args, **class_kwargs)

            def view(**kwargs: t.Any) -> ResponseReturnValue:
                return instance.dispatch_request(**kwargs)

        return view


class MethodView(View, _core.MethodView):
    """Dispatch to ``get(self, **view_args)``, ``post``... after the current request's method."""

    def dispatch_request(self, **kwargs: t.Any) -> ResponseReturnValue:  # type: ignore[override]  # Flask's takes no request
        """Call the method named after the current request's, lowercase."""
        request = current_request()
        method = getattr(self, request.method.lower(), None)
        if method is None and request.method == "HEAD":
            method = getattr(self, "get", None)
        assert method is not None, f"Unimplemented method {request.method!r}"
        rv: ResponseReturnValue = method(**kwargs)
        return rv
