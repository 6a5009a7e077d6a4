"""Class-based views: :class:`View` and :class:`MethodView`, explicit style.

A class-based view is registered through the function
:meth:`View.as_view` returns, like any other view::

    class UserAPI(MethodView):
        def get(self, request, id):
            return {"id": id}

        def delete(self, request, id):
            return "", 204

    app.add_url_rule("/users/<int:id>", view_func=UserAPI.as_view("user"))

That function is called as ``view(request, **view_args)``, so it passes
the app's signature check and the registration steps like a plain view.
"""

from __future__ import annotations

import typing as t

from werkzeug.exceptions import MethodNotAllowed

if t.TYPE_CHECKING:
    from .typing import ResponseReturnValue
    from .wrappers import Request

#: The methods :class:`MethodView` dispatches to, by their lowercase name.
HTTP_METHOD_FUNCS = frozenset(
    ["get", "post", "head", "options", "delete", "put", "trace", "patch"]
)


class ViewFunction(t.Protocol):
    """What :meth:`View.as_view` returns: a view with the class's settings."""

    #: The class the view instantiates.
    view_class: type[View]
    #: The methods its rules accept by default; ``None`` for ``GET``.
    methods: t.Collection[str] | None
    __name__: str

    def __call__(self, request: t.Any, /, **kwargs: t.Any) -> ResponseReturnValue: ...


class View:
    """A view as a class: subclass it and override :meth:`dispatch_request`.

    ::

        class Hello(View):
            def __init__(self, greeting):
                self.greeting = greeting

            def dispatch_request(self, request, name):
                return f"{self.greeting}, {name}!"

        app.add_url_rule("/hello/<name>", view_func=Hello.as_view("hello", "Hi"))
    """

    #: The methods the view's rules accept when ``add_url_rule`` is not
    #: given ``methods``; ``None`` for ``GET`` alone.
    methods: t.ClassVar[t.Collection[str] | None] = None
    #: Whether the app answers ``OPTIONS`` itself; ``None`` leaves it to
    #: the app (on unless the methods list ``OPTIONS``).
    provide_automatic_options: t.ClassVar[bool | None] = None
    #: Applied in order to the function :meth:`as_view` returns, as if
    #: written above it with ``@``: the last one is the outermost.
    decorators: t.ClassVar[list[t.Callable[..., t.Any]]] = []
    #: Make an instance for each request (the default), so that attributes
    #: set while handling one never leak into another. With ``False``, one
    #: instance, made by :meth:`as_view`, serves every request, which
    #: saves the construction; it must then keep no per-request state.
    init_every_request: t.ClassVar[bool] = True

    if t.TYPE_CHECKING:
        # Typed loosely so that a subclass may name the rule's arguments
        # (``def dispatch_request(self, request, id)``) and annotate the
        # request with the app's own Request class.
        dispatch_request: t.Callable[..., ResponseReturnValue]
    else:

        def dispatch_request(self, request: Request, **kwargs: t.Any) -> ResponseReturnValue:
            """Handle *request*; called with the rule's arguments by name.

            :raises NotImplementedError: Unless a subclass overrides it.
            """
            raise NotImplementedError()

    @classmethod
    def view_caller(
        cls, class_args: tuple[t.Any, ...], class_kwargs: dict[str, t.Any]
    ) -> t.Callable[..., ResponseReturnValue]:
        """Return the function that :meth:`as_view` decorates and names.

        It calls :meth:`dispatch_request` on a new instance for each
        request, or on one made now if :attr:`init_every_request` is false.
        A subclass that calls ``dispatch_request`` another way (the
        compatibility layer's, without the request) overrides this alone.
        """
        if cls.init_every_request:

            def view(request: Request, /, **kwargs: t.Any) -> ResponseReturnValue:
                self = cls(*class_args, **class_kwargs)
                return self.dispatch_request(request, **kwargs)

        else:
            instance = cls(*class_args, **class_kwargs)

            def view(request: Request, /, **kwargs: t.Any) -> ResponseReturnValue:
                return instance.dispatch_request(request, **kwargs)

        return view

    @classmethod
    def as_view(cls, name: str, *class_args: t.Any, **class_kwargs: t.Any) -> ViewFunction:
        """Return a view function, ``view(request, **view_args)``, for the class.

        It carries ``view_class``, ``methods`` and the class's docstring
        and module, under the name *name* (the endpoint ``add_url_rule``
        uses by default), with :attr:`decorators` applied.

        :param name: The function's name.
        :param class_args: Passed to the constructor, as are *class_kwargs*.
        """
        view = cls.view_caller(class_args, class_kwargs)
        rv: t.Any = view
        if cls.decorators:
            # Decorators that copy the name (functools.wraps) see the view's.
            rv.__name__ = name
            rv.__module__ = cls.__module__
            for decorator in cls.decorators:
                rv = decorator(rv)
            if rv is not view and not hasattr(rv, "__wrapped__"):
                # A decorator without functools.wraps: keep the way back to
                # the view (the compatibility layer decides its style by it).
                rv.__wrapped__ = view
        rv.view_class = cls
        rv.__name__ = name
        rv.__qualname__ = name
        rv.__doc__ = cls.__doc__
        rv.__module__ = cls.__module__
        rv.methods = cls.methods
        if cls.provide_automatic_options is not None:
            # Only when set: the app reads the attribute as the answer.
            rv.provide_automatic_options = cls.provide_automatic_options
        return t.cast(ViewFunction, rv)


class MethodView(View):
    """A class-based view that dispatches to a method per HTTP method.

    ``GET`` calls ``get(self, request, **view_args)``, ``POST`` calls
    ``post``, and so on; ``HEAD`` falls back to ``get``. :attr:`methods` is
    computed from the methods the class defines or inherits, so the rules
    accept those alone and the app answers the others with 405 and the
    right ``Allow``. ::

        class UserAPI(MethodView):
            def get(self, request, id):
                return {"id": id}

            def post(self, request, id):
                ...
    """

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        if "methods" not in cls.__dict__:
            methods: set[str] = set()
            for base in cls.__bases__:
                methods.update(getattr(base, "methods", None) or ())
            methods.update(key.upper() for key in HTTP_METHOD_FUNCS if hasattr(cls, key))
            if methods:
                cls.methods = methods

    def dispatch_request(self, request: Request, **kwargs: t.Any) -> ResponseReturnValue:
        """Call the method named after the request's, lowercase.

        :raises werkzeug.exceptions.MethodNotAllowed: If the class has no
            such method (a rule given ``methods`` the class does not
            define), with the methods it has in ``Allow``.
        """
        method = getattr(self, request.method.lower(), None)
        if method is None and request.method == "HEAD":
            method = getattr(self, "get", None)
        if method is None:
            allowed = {m.upper() for m in HTTP_METHOD_FUNCS if hasattr(self, m)}
            if "GET" in allowed:
                allowed.add("HEAD")
            if getattr(request.url_rule, "provide_automatic_options", False):
                allowed.add("OPTIONS")
            raise MethodNotAllowed(valid_methods=sorted(allowed))
        rv: ResponseReturnValue = method(request, **kwargs)
        return rv
