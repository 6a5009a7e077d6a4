"""``flask.views``: class-based views whose methods do not take the request.

Flask's ``dispatch_request(self, **view_args)`` and ``get(self,
**view_args)`` read the request from the proxy. For the explicit style,
use :mod:`microweb.views`, whose methods take it first.
"""

from __future__ import annotations

import inspect
import typing as t

from .. import views as _core
from ..wrappers import Request
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
    """Dispatch to ``get(self, **view_args)``, ``post``... after the current request's method.

    Each method may be moved to the explicit style on its own: one whose
    first parameter after ``self`` is named ``request`` (or annotated as a
    :class:`~microweb.Request`) is given the request, ``def get(self,
    request, id)``; the others are called Flask's way. Once all of them
    take it, the class can derive from :class:`microweb.MethodView`.
    """

    #: The HTTP methods whose function takes the request, decided when the
    #: class is made.
    explicit_methods: t.ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.explicit_methods = frozenset(
            name
            for name in _core.HTTP_METHOD_FUNCS
            if _takes_request(getattr(cls, name, None))
        )

    def dispatch_request(self, **kwargs: t.Any) -> ResponseReturnValue:  # type: ignore[override]  # Flask's takes no request
        """Call the method named after the current request's, lowercase."""
        request = current_request()
        name = request.method.lower()
        method = getattr(self, name, None)
        if method is None and request.method == "HEAD":
            name, method = "get", getattr(self, "get", None)
        assert method is not None, f"Unimplemented method {request.method!r}"
        if name in self.explicit_methods:
            rv: ResponseReturnValue = method(request, **kwargs)
        else:
            rv = method(**kwargs)
        return rv


def _takes_request(function: object) -> bool:
    """Whether a view class's method is written in the explicit style."""
    if not callable(function):
        return False
    try:
        parameters = list(inspect.signature(function).parameters.values())[1:]
    except (TypeError, ValueError):
        return False
    if not parameters or parameters[0].kind not in (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    ):
        return False
    first = parameters[0]
    if first.name == "request":
        return True
    annotation = first.annotation
    if isinstance(annotation, str):
        return annotation.rsplit(".", 1)[-1].endswith("Request")
    return isinstance(annotation, type) and issubclass(annotation, Request)
