"""URL routing: a dict for static paths, werkzeug's matcher for the rest."""

from __future__ import annotations

import re
import typing as t
from urllib.parse import quote

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import (
    BaseConverter,
    IntegerConverter,
    Map,
    MapAdapter,
    RequestRedirect,
    Rule,
    ValidationError,
)

if t.TYPE_CHECKING:
    from .endpoints import Endpoint
    from .wrappers import Request

#: A static route's entry: what the app prepared for the endpoint, the rule,
#: and the defaults that become the view arguments.
StaticEntry = tuple["Endpoint", Rule, dict[str, t.Any]]



#: A variable of a rule: ``<name>``, ``<converter:name>`` or
#: ``<converter(arguments):name>``; the name is the group.
_VARIABLE = re.compile(
    r"<(?:[A-Za-z_][A-Za-z0-9_]*(?:\((?:[^()]|\([^()]*\))*\))?:)?([A-Za-z_][A-Za-z0-9_]*)>"
)


class Router:
    """Route requests to prepared endpoints and build URLs for endpoints.

    Rules live in a werkzeug :class:`~werkzeug.routing.Map`. :meth:`freeze`
    adds a lookup table of the rules without arguments, so a static path
    costs one dict lookup and never reaches werkzeug's matcher.
    :meth:`route` is the one place a request is routed.

    :param host_matching: Match rules on the full host instead of the path
        alone (``Rule(host=...)``).
    :param subdomain_matching: Match rules' ``subdomain`` against the
        request's host, relative to ``SERVER_NAME``.
    """

    def __init__(
        self, *, host_matching: bool = False, subdomain_matching: bool = False
    ) -> None:
        #: The werkzeug map; add converters to ``url_map.converters``.
        self.url_map = Map(host_matching=host_matching)
        self.subdomain_matching = subdomain_matching
        #: Look paths of rules without arguments up in a dict, and match
        #: the others with a compiled copy of werkzeug's state machine,
        #: before werkzeug's matcher. The answer is the same either way (the
        #: tests compare the two); turn it off before the first request to
        #: send every request through werkzeug's matcher.
        self.static_shortcut = True
        self._endpoints: dict[str, Endpoint] = {}
        self._options: dict[str, Endpoint] = {}
        self._unmatched: Endpoint
        self._adapter: MapAdapter | None = None
        self._static: dict[str, dict[str, StaticEntry]] = {}
        self._tree: _Node | None = None
        self._domain = ""

    def add(self, rule: Rule) -> None:
        """Add *rule* to the map."""
        self.url_map.add(rule)

    def make_rule(
        self,
        rule_class: type[Rule],
        rule: str,
        endpoint: str,
        view_func: t.Callable[..., t.Any] | None,
        provide_automatic_options: bool | None,
        options: dict[str, t.Any],
    ) -> Rule:
        """Make the rule that ``App.add_url_rule`` adds, with its methods.

        ``methods`` comes from *options*, else from the view's ``methods``
        attribute, else ``GET``; ``OPTIONS`` is added, and answered with
        the allowed methods, unless the rule lists it or
        *provide_automatic_options* (or the view's attribute of that
        name) says otherwise.

        :raises TypeError: If ``methods`` is a string.
        """
        methods = options.pop("methods", None)
        if methods is None:
            methods = getattr(view_func, "methods", None) or ("GET",)
        if isinstance(methods, str):
            raise TypeError(
                "'methods' must be a list of strings, such as methods=['POST']."
            )
        method_set = {m.upper() for m in methods}
        if provide_automatic_options is None:
            provide_automatic_options = getattr(
                view_func, "provide_automatic_options", "OPTIONS" not in method_set
            )
        if provide_automatic_options:
            method_set.add("OPTIONS")
        rule_obj = rule_class(rule, methods=method_set, endpoint=endpoint, **options)
        rule_obj.provide_automatic_options = provide_automatic_options  # type: ignore[attr-defined]  # a mark match() reads
        return rule_obj

    def arguments(self, rule: Rule) -> t.AbstractSet[str]:
        """Return the names *rule* passes to its view, before it is added.

        They are the path's, host's or subdomain's variables and the
        rule's defaults; werkzeug knows them once a rule is bound, so a
        copy is bound (and never added) to read them.
        """
        if rule.map is not None:
            return rule.arguments
        text = f"{rule.rule}{rule.subdomain or ''}{rule.host or ''}"
        # perf: read off the rule's text, as werkzeug's rule syntax defines
        # its variables; binding a probe compiles the rule, which adding it
        # does again (half the time of registering a route).
        names = _VARIABLE.findall(text)
        if text.count("<") == len(names):
            return {*names, *(rule.defaults or ())}
        probe = rule.empty()  # a form the pattern does not know: ask werkzeug
        probe.bind(self.url_map)
        return probe.arguments

    def freeze(
        self,
        endpoints: dict[str, Endpoint],
        options: dict[str, Endpoint],
        unmatched: Endpoint,
    ) -> None:
        """Take the prepared endpoints and build the static-path table.

        :param endpoints: What the app prepared for each endpoint name.
        :param options: What answers an automatic ``OPTIONS`` request for
            each endpoint name.
        :param unmatched: What answers a request no rule matches.
        """
        self._endpoints = endpoints
        self._options = options
        self._unmatched = unmatched
        static: dict[str, dict[str, StaticEntry]] = {}
        # A path alone decides the match only when the host plays no part:
        # no host or subdomain matching, and a rule on the default
        # subdomain, which is the only one werkzeug matches then.
        if self.static_shortcut and not (
            self.url_map.host_matching or self.subdomain_matching
        ):
            default_subdomain = self.url_map.default_subdomain
            for rule in self.url_map.iter_rules():
                if (
                    rule.arguments
                    or rule.redirect_to is not None
                    or rule.build_only
                    or rule.websocket
                    or (rule.subdomain or "") != default_subdomain
                    # werkzeug merges repeated slashes in rules and paths.
                    or "//" in rule.rule
                    or rule.endpoint not in endpoints
                ):
                    continue
                methods = static.setdefault(rule.rule, {})
                entry = (endpoints[rule.endpoint], rule, dict(rule.defaults or {}))
                for method in rule.methods or ("*",):
                    # Automatic OPTIONS needs every rule of the path, so it
                    # goes through werkzeug; the first rule added wins, as
                    # it does in werkzeug.
                    if method == "OPTIONS" and _automatic_options(rule):
                        continue
                    methods.setdefault(method, entry)
        self._static = static
        self._tree = None
        if not (self.url_map.host_matching or self.subdomain_matching):
            # perf: without host or subdomain matching, only a redirect's
            # URL depends on the request's host, scheme and root, so one
            # adapter matches every request. See route().
            adapter = self._adapter = self.url_map.bind("localhost")
            if self.static_shortcut:
                self._domain = adapter.subdomain or ""
                self._tree = compile_matcher(self.url_map)

    def route(self, request: Request) -> Endpoint:
        """Route *request*: the one place a request is matched to an endpoint.

        On a match, set ``url_rule``, ``view_args``, ``endpoint`` and
        ``blueprints`` on the request and return the prepared endpoint.
        Otherwise set ``routing_exception`` (``NotFound``,
        ``MethodNotAllowed``, a ``RequestRedirect`` for a missing trailing
        slash, or a ``SecurityError`` for a host outside ``TRUSTED_HOSTS``)
        and return the endpoint that answers unmatched requests. An
        automatic ``OPTIONS`` gets an endpoint whose view lists the
        allowed methods.
        """
        try:
            if request.app.config["TRUSTED_HOSTS"] is not None:
                # Reading the host checks it: SecurityError is a 400.
                request.host  # noqa: B018
            # perf: a static path is one or two dict lookups, with no adapter.
            entry = None
            methods = self._static.get(request.path)
            if methods is not None:
                entry = methods.get(request.method) or methods.get("*")
            if entry is not None:
                endpoint, rule, args = entry[0], entry[1], dict(entry[2])
            else:
                try:
                    shared = self._adapter
                    if shared is None:
                        adapter = request._url_adapter = self.bind(request)
                        if adapter.subdomain == _INVALID_SUBDOMAIN:
                            # The host is not SERVER_NAME nor one of its subdomains.
                            raise NotFound()
                        rule, args = adapter.match(return_rule=True)  # type: ignore[assignment]  # werkzeug returns a fresh dict
                    else:
                        tree = self._tree
                        found = None
                        if tree is not None:
                            # perf: werkzeug's search, compiled; None when
                            # werkzeug has to answer (a miss, a redirect).
                            found = match_compiled(
                                tree, self._domain, request.path, request.method
                            )
                        if found is not None:
                            rule, args = found
                        else:
                            try:
                                rule, args = shared.match(request.path, request.method, return_rule=True)  # type: ignore[assignment]  # a fresh dict
                            except RequestRedirect:
                                # Match again with the request's own host, to redirect there.
                                adapter = request._url_adapter = self.bind(request)
                                rule, args = adapter.match(return_rule=True)  # type: ignore[assignment]  # a fresh dict
                except ValueError:
                    # A converter choked on the client's value (such as an
                    # int with thousands of digits): no rule matches it.
                    raise NotFound() from None
                if request.method == "OPTIONS" and _automatic_options(rule):
                    endpoint = self._options[rule.endpoint]
                else:
                    endpoint = self._endpoints[rule.endpoint]
        except HTTPException as e:
            request.routing_exception = e
            return self._unmatched
        request.url_rule = rule
        request.view_args = args
        request.endpoint = endpoint.name
        request.blueprints = endpoint.blueprints
        return endpoint

    def build_outside_request(
        self, config: t.Mapping[str, t.Any], endpoint: str, values: dict[str, t.Any], **options: t.Any
    ) -> str:
        """Build a URL with no request, from ``SERVER_NAME``, ``APPLICATION_ROOT`` and ``PREFERRED_URL_SCHEME``.

        :param options: As for :func:`build_url`.
        :raises RuntimeError: If ``SERVER_NAME`` is not set.
        """
        server_name = config["SERVER_NAME"]
        if not server_name:
            raise RuntimeError(
                "app.url_for() outside a request needs SERVER_NAME in the"
                " config; inside a view, call url_for(request, ...)."
            )
        adapter = self.url_map.bind(
            server_name,
            script_name=config["APPLICATION_ROOT"],
            url_scheme=config["PREFERRED_URL_SCHEME"],
        )
        return build_url(adapter, endpoint, values, **options)

    def bind(self, request: Request) -> MapAdapter:
        """Bind the map to *request*, for matching and for building URLs."""
        server_name = host = request.host
        subdomain: str | None = self.url_map.default_subdomain or ""
        if self.url_map.host_matching:
            subdomain = None
        elif self.subdomain_matching:
            configured = request.app.config["SERVER_NAME"]
            if configured:
                server_name = configured
                subdomain = _subdomain(host.lower(), configured.lower())
        return self.url_map.bind(
            server_name,
            script_name=request.root_path,
            subdomain=subdomain,
            url_scheme=request.scheme,
            default_method=request.method,
            path_info=request.path,
            query_args=request.query_string.decode("utf-8", "replace"),
        )


# A compiled copy of werkzeug's routing state machine (see
# werkzeug.routing.matcher): the same states, transitions and order, with
# each dynamic part's regex compiled once and each rule's converters looked
# at once. It only ever answers with a match werkzeug would make; anything
# else (no match, a slash or default redirect, a converter that refuses)
# goes back to werkzeug, which raises the right exception.

#: What a matched rule needs: the rule; its converters as (name, function
#: or None for the identity), or None when werkzeug must answer (a redirect
#: may apply); and its defaults.
_RuleEntry = tuple[Rule, "tuple[tuple[str, t.Any], ...] | None", "dict[str, t.Any] | None"]
#: A dynamic transition: the part's regex match, its group names in order,
#: whether it is final (takes the rest of the path), whether it is
#: suffixed, and the state it leads to.
_Dynamic = tuple[t.Callable[[str], "re.Match[str] | None"], tuple[str, ...], bool, bool, "_Node"]
#: A state: static transitions, dynamic ones in werkzeug's order, rules.
_Node = tuple[dict[str, "_Node"], tuple[_Dynamic, ...], tuple[_RuleEntry, ...]]


class _Fallback(Exception):
    """werkzeug's matcher would raise here (a trailing slash is required)."""


def compile_matcher(url_map: Map) -> _Node | None:
    """Compile *url_map*'s state machine for :func:`match_compiled`.

    ``None`` if the map's matcher is not the state machine this knows.
    """
    url_map.update()  # sorts each state's dynamic transitions
    root = getattr(getattr(url_map, "_matcher", None), "_root", None)
    if root is None or not all(hasattr(root, name) for name in ("static", "dynamic", "rules")):
        return None

    def entry(rule: Rule) -> _RuleEntry:
        converters: tuple[tuple[str, t.Any], ...] | None = tuple(
            (str(name), _to_python(converter)) for name, converter in rule._converters.items()
        )
        if (
            rule.redirect_to is not None
            or (rule.alias and url_map.redirect_defaults)
            or (url_map.redirect_defaults and _may_redirect_to_defaults(url_map, rule))
        ):
            converters = None
        return rule, converters, dict(rule.defaults) if rule.defaults else None

    def node(state: t.Any) -> _Node:
        dynamic = []
        for part, next_state in state.dynamic:
            pattern = re.compile(part.content)
            keys = sorted(
                (name for name in pattern.groupindex if name.startswith("__werkzeug_")),
                key=lambda name: int(name[11:]),
            )
            if not keys:
                raise _Fallback()  # a dynamic part always has a converter
            dynamic.append((pattern.match, tuple(keys), part.final, part.suffixed, node(next_state)))
        return (
            {content: node(next_state) for content, next_state in state.static.items()},
            tuple(dynamic),
            tuple(entry(rule) for rule in state.rules),
        )

    try:
        return node(root)
    except _Fallback:
        return None


def _to_python(converter: BaseConverter) -> t.Any:
    if type(converter).to_python is BaseConverter.to_python:
        return None  # the identity: the default, string, path converters
    if (
        type(converter) is IntegerConverter
        and not converter.fixed_digits
        and converter.min is None
        and converter.max is None
    ):
        return int
    return converter.to_python


def _may_redirect_to_defaults(url_map: Map, rule: Rule) -> bool:
    # MapAdapter.get_default_redirect: an earlier rule of the endpoint
    # that provides defaults for this one may redirect to itself.
    for other in url_map._rules_by_endpoint.get(rule.endpoint, ()):
        if other is rule:
            return False
        if other.provides_defaults_for(rule):
            return True
    return False


def match_compiled(
    tree: _Node, domain: str, path: str, method: str
) -> tuple[Rule, dict[str, t.Any]] | None:
    """Match *path* as werkzeug's matcher would, or return ``None`` to let it answer.

    :param domain: The subdomain part werkzeug matches first.
    :param path: The request's path, starting with a slash.
    """
    try:
        found = _search(tree, [domain, *path.split("/")], [], method)
    except _Fallback:
        return None
    if found is None:
        return None
    (rule, converters, defaults), values = found
    if converters is None:
        return None
    args: dict[str, t.Any] = {}
    for (name, to_python), value in zip(converters, values):
        if to_python is None:
            args[name] = value
        else:
            try:
                args[name] = to_python(value)
            except (ValidationError, ValueError):
                return None
    if defaults:
        args.update(defaults)
    return rule, args


def _search(
    node: _Node, parts: list[str], values: list[str], method: str
) -> tuple[_RuleEntry, list[str]] | None:
    """werkzeug's StateMachineMatcher._match: depth first, static before dynamic."""
    static, dynamic, rules = node
    # perf: a state with nothing but static transitions leads where its
    # static transition does, or nowhere: no call for it.
    while not dynamic and len(parts) > 1:
        next_node = static.get(parts[0])
        if next_node is None:
            return None
        node = next_node
        static, dynamic, rules = node
        parts = parts[1:]
    if not parts:
        for entry in rules:
            rule = entry[0]
            if (rule.methods is None or method in rule.methods) and not rule.websocket:
                return entry, values
        slash = static.get("")
        if slash is not None:
            for entry in slash[2]:
                rule = entry[0]
                if not rule.websocket and (rule.methods is None or method in rule.methods):
                    if rule.strict_slashes:
                        raise _Fallback()
                    return entry, values
        return None
    part = parts[0]
    next_node = static.get(part)
    if next_node is not None:
        rv = _search(next_node, parts[1:], values, method)
        if rv is not None:
            return rv
    for match, keys, final, suffixed, next_node in dynamic:
        target = part
        remaining = parts[1:]
        if final:
            target = "/".join(parts)
            remaining = []
        found = match(target)
        if found is not None:
            if suffixed and found.groups()[-1] == "/":
                remaining = [""]
            groups: t.Any = found.group(*keys)
            rv = _search(
                next_node,
                remaining,
                [*values, groups] if len(keys) == 1 else [*values, *groups],
                method,
            )
            if rv is not None:
                return rv
    if parts == [""]:
        for entry in rules:
            rule = entry[0]
            if rule.strict_slashes:
                continue
            if (rule.methods is None or method in rule.methods) and not rule.websocket:
                return entry, values
    return None


def build_url(
    adapter: MapAdapter,
    endpoint: str,
    values: dict[str, t.Any],
    *,
    method: str | None = None,
    scheme: str | None = None,
    external: bool | None = None,
    anchor: str | None = None,
) -> str:
    """Build the URL of *endpoint* with *adapter*.

    Values that no rule argument takes go into the query string; a value
    of ``None`` is left out.

    :raises werkzeug.routing.BuildError: If no rule can build the URL.
    """
    if scheme is not None:
        if external is False:
            raise ValueError("A URL with '_scheme' must be external.")
        external = True
    rv = adapter.build(
        endpoint,
        values,
        method=method,
        url_scheme=scheme,
        force_external=bool(external),
    )
    if anchor is not None:
        rv = f"{rv}#{quote(anchor, safe='%!#$&()*+,/:;=?@~')}"
    return rv


def join_rule(prefix: str | None, rule: str) -> str:
    """Join a blueprint's URL prefix and a rule with exactly one slash."""
    if not prefix:
        return rule
    if not rule:
        return prefix
    return f"{prefix.rstrip('/')}/{rule.lstrip('/')}"


def blueprint_chain(endpoint: str) -> tuple[str, ...]:
    """Return ``("a.b", "a")``, the blueprints of the endpoint ``"a.b.view"``."""
    parts = endpoint.split(".")[:-1]
    return tuple(".".join(parts[:i]) for i in range(len(parts), 0, -1))


#: The subdomain of a host outside ``SERVER_NAME``; see :meth:`Router.match`.
_INVALID_SUBDOMAIN = "<invalid>"


def _subdomain(host: str, server_name: str) -> str:
    if host == server_name:
        return ""
    if host.endswith("." + server_name):
        return host[: -len(server_name) - 1]
    return _INVALID_SUBDOMAIN


def _automatic_options(rule: Rule) -> bool:
    return bool(getattr(rule, "provide_automatic_options", False))
