"""``flask.typing``: the types of views, hooks and return values, under Flask's names.

With the layer on, a view, hook, error handler or processor may be
written either way: Flask's, without the request, or microweb's, with
it first (see :doc:`compat`). The callable types here admit both, so a
Flask app's annotations, and its hooks, type-check unchanged.
"""

from __future__ import annotations

import typing as t

from ..typing import HeadersValue as HeadersValue
from ..typing import ResponseReturnValue as ResponseReturnValue
from ..typing import ResponseValue as ResponseValue

if t.TYPE_CHECKING:
    from ..wrappers import Response

#: A status code or reason phrase.
StatusCode = t.Union[int, str]
#: One header's value.
HeaderValue = t.Union[str, t.List[str], t.Tuple[str, ...]]
#: A blueprint's name, or ``None`` for the app's own registrations.
AppOrBlueprintKey = t.Optional[str]

#: A view: Flask's ``def index()`` or microweb's ``def index(request)``.
RouteCallable = t.Callable[..., ResponseReturnValue]
#: ``before_request``: ``f()`` or ``f(request)``; a value ends the request.
BeforeRequestCallable = t.Union[
    t.Callable[[], t.Optional[ResponseReturnValue]],
    t.Callable[[t.Any], t.Optional[ResponseReturnValue]],
]
#: ``after_request``: ``f(response)`` or ``f(request, response)``.
AfterRequestCallable = t.Union[
    t.Callable[["Response"], "Response"],
    t.Callable[[t.Any, "Response"], "Response"],
]
#: ``teardown_request`` and ``teardown_appcontext``: ``f(error)``, or
#: ``f(request, error)`` for a request's teardown.
TeardownCallable = t.Union[
    t.Callable[[t.Optional[BaseException]], object],
    t.Callable[[t.Any, t.Optional[BaseException]], object],
]
#: An error handler: ``f(error)`` or ``f(request, error)``.
ErrorHandlerCallable = t.Union[
    t.Callable[[t.Any], ResponseReturnValue],
    t.Callable[[t.Any, t.Any], ResponseReturnValue],
]
#: A template context processor: ``f()`` or ``f(request)``, returning a dict.
TemplateContextProcessorCallable = t.Union[
    t.Callable[[], t.Mapping[str, t.Any]],
    t.Callable[[t.Any], t.Mapping[str, t.Any]],
]
#: ``url_value_preprocessor``: ``f(endpoint, values)`` or ``f(request, endpoint, values)``.
URLValuePreprocessorCallable = t.Union[
    t.Callable[[t.Optional[str], t.Optional[t.Dict[str, t.Any]]], None],
    t.Callable[[t.Any, t.Optional[str], t.Optional[t.Dict[str, t.Any]]], None],
]
#: ``url_defaults``: ``f(endpoint, values)`` or ``f(request, endpoint, values)``.
URLDefaultCallable = t.Union[
    t.Callable[[str, t.Dict[str, t.Any]], None],
    t.Callable[[t.Any, str, t.Dict[str, t.Any]], None],
]
#: ``shell_context_processor``: ``f()`` returning a dict of names.
ShellContextProcessorCallable = t.Callable[[], t.Dict[str, t.Any]]
#: ``template_filter``, ``template_global`` and ``template_test`` functions.
TemplateFilterCallable = t.Callable[..., t.Any]
TemplateGlobalCallable = t.Callable[..., t.Any]
TemplateTestCallable = t.Callable[..., bool]

# The type variables the decorators return their argument as.
RouteT = t.TypeVar("RouteT", bound=RouteCallable)
BeforeRequestT = t.TypeVar("BeforeRequestT", bound=BeforeRequestCallable)
AfterRequestT = t.TypeVar("AfterRequestT", bound=AfterRequestCallable)
TeardownT = t.TypeVar("TeardownT", bound=TeardownCallable)
ErrorHandlerT = t.TypeVar("ErrorHandlerT", bound=ErrorHandlerCallable)
TemplateContextProcessorT = t.TypeVar(
    "TemplateContextProcessorT", bound=TemplateContextProcessorCallable
)
URLValuePreprocessorT = t.TypeVar("URLValuePreprocessorT", bound=URLValuePreprocessorCallable)
URLDefaultT = t.TypeVar("URLDefaultT", bound=URLDefaultCallable)
ShellContextProcessorT = t.TypeVar(
    "ShellContextProcessorT", bound=ShellContextProcessorCallable
)
TemplateFilterT = t.TypeVar("TemplateFilterT", bound=TemplateFilterCallable)
TemplateGlobalT = t.TypeVar("TemplateGlobalT", bound=TemplateGlobalCallable)
TemplateTestT = t.TypeVar("TemplateTestT", bound=TemplateTestCallable)


# What the decorators of microweb.compat's Flask and Blueprint accept, for
# type checkers only: either style of each callable. At run time the
# classes are the core's, and registration decides the style.

if t.TYPE_CHECKING:

    class FlaskStyleSetup:
        def before_request(self, f: BeforeRequestT) -> BeforeRequestT: ...

        def after_request(self, f: AfterRequestT) -> AfterRequestT: ...

        def teardown_request(self, f: TeardownT) -> TeardownT: ...

        def errorhandler(
            self, code_or_exception: type[BaseException] | int
        ) -> t.Callable[[ErrorHandlerT], ErrorHandlerT]: ...

        def context_processor(
            self, f: TemplateContextProcessorT
        ) -> TemplateContextProcessorT: ...

        def url_value_preprocessor(self, f: URLValuePreprocessorT) -> URLValuePreprocessorT: ...

        def url_defaults(self, f: URLDefaultT) -> URLDefaultT: ...

    class FlaskStyleBlueprintSetup(FlaskStyleSetup):
        def before_app_request(self, f: BeforeRequestT) -> BeforeRequestT: ...

        def after_app_request(self, f: AfterRequestT) -> AfterRequestT: ...

        def teardown_app_request(self, f: TeardownT) -> TeardownT: ...

        def app_errorhandler(
            self, code_or_exception: type[BaseException] | int
        ) -> t.Callable[[ErrorHandlerT], ErrorHandlerT]: ...

        def app_context_processor(
            self, f: TemplateContextProcessorT
        ) -> TemplateContextProcessorT: ...

        def app_url_value_preprocessor(
            self, f: URLValuePreprocessorT
        ) -> URLValuePreprocessorT: ...

        def app_url_defaults(self, f: URLDefaultT) -> URLDefaultT: ...

else:

    class FlaskStyleSetup:
        """Types only: at run time the decorators are the core's."""

    class FlaskStyleBlueprintSetup(FlaskStyleSetup):
        """Types only: at run time the decorators are the core's."""
