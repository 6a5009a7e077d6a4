"""URL routing: a dict for static paths, werkzeug's matcher for the rest."""

from __future__ import annotations

import typing as t
from urllib.parse import quote

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, MapAdapter, RequestRedirect, Rule

if t.TYPE_CHECKING:
    from .endpoints import Endpoint
    from .wrappers import Request

#: A static route's entry: what the app prepared for the endpoint, the rule,
#: and the defaults that become the view arguments.
StaticEntry = tuple["Endpoint", Rule, dict[str, t.Any]]


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
        #: Look paths of rules without arguments up in a dict before
        #: werkzeug's matcher. The answer is the same either way (the tests
        #: compare the two); turn it off before the first request to send
        #: every request through the matcher.
        self.static_shortcut = True
        self._endpoints: dict[str, Endpoint] = {}
        self._options: dict[str, Endpoint] = {}
        self._unmatched: Endpoint
        self._adapter: MapAdapter | None = None
        self._static: dict[str, dict[str, StaticEntry]] = {}

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
        if "<" not in f"{rule.rule}{rule.subdomain or ''}{rule.host or ''}":
            return set(rule.defaults or ())
        probe = rule.empty()
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
        if not (self.url_map.host_matching or self.subdomain_matching):
            # perf: without host or subdomain matching, only a redirect's
            # URL depends on the request's host, scheme and root, so one
            # adapter matches every request. See route().
            self._adapter = self.url_map.bind("localhost")

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
