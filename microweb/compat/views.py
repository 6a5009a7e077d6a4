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
    def as_view(cls, name: str, *class_args: t.Any, **class_kwargs: t.Any) -> t.Any:
        """Return a view function, ``view(**view_args)``, for the class.

        It carries ``view_class``, ``methods`` and the class's docstring,
        under the name *name*, with :attr:`decorators` applied.
        """
        if cls.init_every_request:

            def view(**kwargs: t.Any) -> ResponseReturnValue:
                self = cls(*class_args, **class_kwargs)
                return self.dispatch_request(**kwargs)

        else:
            instance = cls(*class_args, **class_kwargs)

            def view(**kwargs: t.Any) -> ResponseReturnValue:
                return instance.dispatch_request(**kwargs)

        rv: t.Any = view
        if cls.decorators:
            rv.__name__ = name
            rv.__module__ = cls.__module__
            for decorator in cls.decorators:
                rv = decorator(rv)
            if rv is not view and not hasattr(rv, "__wrapped__"):
                # A decorator without functools.wraps: registration decides
                # the style by the view it wraps (see docs/compat.rst).
                rv.__wrapped__ = view
        rv.view_class = cls
        rv.__name__ = name
        rv.__qualname__ = name
        rv.__doc__ = cls.__doc__
        rv.__module__ = cls.__module__
        rv.methods = cls.methods
        if cls.provide_automatic_options is not None:
            rv.provide_automatic_options = cls.provide_automatic_options
        return rv


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
