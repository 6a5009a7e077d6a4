"""Type aliases for what views, hooks and error handlers take and return."""

from __future__ import annotations

import typing as t
from collections.abc import Iterator, Mapping, Sequence

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
    from werkzeug.datastructures import Headers
    from werkzeug.wrappers import Response as _WerkzeugResponse

    from .wrappers import Response

#: A body a view may return.
ResponseValue = t.Union[
    "_WerkzeugResponse",
    str,
    bytes,
    bytearray,
    "Mapping[str, t.Any]",
    "list[t.Any]",
    "Iterator[str]",
    "Iterator[bytes]",
]

#: Headers a view may return: a ``Headers``, a mapping or a list of pairs.
HeadersValue = t.Union[
    "Headers",
    "Mapping[str, str | Sequence[str] | int]",
    "Sequence[tuple[str, str | int]]",
]

#: What a view may return: a body, or a tuple with a status and headers.
ResponseReturnValue = t.Union[
    ResponseValue,
    "tuple[ResponseValue, HeadersValue]",
    "tuple[ResponseValue, int | str]",
    "tuple[ResponseValue, int | str, HeadersValue]",
    "WSGIApplication",
]

#: A view: called as ``view(request, **view_args)``.
View = t.Callable[..., ResponseReturnValue]
# The request parameter is typed Any below, so that a hook may annotate it
# with the app's own Request subclass (``app.request_class``); the number
# of arguments and the return type are still checked.

#: ``before_request(request)``: returns ``None`` or a response value.
BeforeRequestHook = t.Callable[[t.Any], t.Optional[ResponseReturnValue]]
#: ``after_request(request, response)``: returns a response.
AfterRequestHook = t.Callable[[t.Any, "Response"], "Response"]
#: ``teardown_request(request, exc)``: its return value is ignored.
TeardownHook = t.Callable[[t.Any, t.Optional[BaseException]], object]
#: ``handler(request, error)``: returns a response value.
ErrorHandler = t.Callable[[t.Any, t.Any], ResponseReturnValue]
#: ``processor(request)``: returns names to add to a template's context.
ContextProcessor = t.Callable[[t.Any], "Mapping[str, t.Any]"]
#: ``preprocessor(request, endpoint, values)``: may change ``values``, the
#: view arguments (``None`` for both when no rule matched).
URLValuePreprocessor = t.Callable[
    [t.Any, t.Optional[str], t.Optional["dict[str, t.Any]"]], None
]
#: ``function(request, endpoint, values)``: fills in ``values`` before
#: ``url_for`` builds a URL; the request is ``None`` outside a request.
URLDefaultCallback = t.Callable[[t.Any, str, "dict[str, t.Any]"], None]
#: A Jinja filter, global or test: any callable.
TemplateCallable = t.Callable[..., t.Any]

# The decorators return what they are given, so mypy checks the decorated
# function against what the app will call it with.
ViewT = t.TypeVar("ViewT", bound=View)
BeforeRequestT = t.TypeVar("BeforeRequestT", bound=BeforeRequestHook)
AfterRequestT = t.TypeVar("AfterRequestT", bound=AfterRequestHook)
TeardownT = t.TypeVar("TeardownT", bound=TeardownHook)
ErrorHandlerT = t.TypeVar("ErrorHandlerT", bound=ErrorHandler)
ContextProcessorT = t.TypeVar("ContextProcessorT", bound=ContextProcessor)
URLValuePreprocessorT = t.TypeVar("URLValuePreprocessorT", bound=URLValuePreprocessor)
URLDefaultCallbackT = t.TypeVar("URLDefaultCallbackT", bound=URLDefaultCallback)
TemplateCallableT = t.TypeVar("TemplateCallableT", bound=TemplateCallable)
#: ``processor()``: returns names for the ``microweb shell`` namespace.
ShellContextProcessorT = t.TypeVar(
    "ShellContextProcessorT", bound=t.Callable[[], "Mapping[str, t.Any]"]
)
