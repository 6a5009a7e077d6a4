"""The compiled matcher answers exactly as werkzeug's matcher, or lets it answer.

``Router`` matches rules with arguments with a compiled copy of werkzeug's
state machine (:func:`microweb.routing.match_compiled`). These tests throw
many rule sets and paths at both and compare every match; a request the
compiled matcher does not answer goes to werkzeug, so only its answers
need to agree, and most requests must get one.
"""

from __future__ import annotations

import itertools
import random
import typing as t

import pytest
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, Map, RequestRedirect, Rule, ValidationError

from microweb import App
from microweb.routing import compile_matcher, match_compiled


class EvenConverter(BaseConverter):
    """Digits, refused by to_python when odd: a converter that can say no."""

    regex = r"\d+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number % 2:
            raise ValidationError()
        return number


RULES: list[tuple[str, dict[str, t.Any]]] = [
    ("/", {}),
    ("/users/<int:id>", {}),
    ("/users/<int:id>/posts/<slug>", {}),
    ("/users/new", {}),
    ("/users/<name>", {"methods": ["POST"]}),
    ("/files/<path:rest>", {}),
    ("/files/<path:rest>/raw", {}),
    ("/dir/", {}),
    ("/loose/<x>", {"strict_slashes": False}),
    ("/loose/<x>/", {"methods": ["PUT"]}),
    ("/pair/<a>-<b>", {}),
    ("/pick/<any(red, blue):colour>", {}),
    ("/num/<float:f>", {}),
    ("/num/<int(signed=True):i>", {}),
    ("/fixed/<int(fixed_digits=3):n>", {}),
    ("/even/<even:n>", {}),
    ("/even/<int:n>", {"methods": ["DELETE"]}),
    ("/page", {"defaults": {"n": 1}, "endpoint": "page"}),
    ("/page/<int:n>", {"endpoint": "page"}),
    ("/old/<int:id>", {"redirect_to": "/users/<id>"}),
    ("/ws/<x>", {"websocket": True}),
    ("/short/<string(length=2):code>", {}),
    ("/<a>/<b>/<c>", {}),
    ("/<a>/fixed", {}),
]

SEGMENTS = [
    "", "users", "new", "42", "7", "0042", "-3", "1.5", "abc", "a-b", "-", "files",
    "raw", "dir", "loose", "pair", "pick", "red", "blue", "green", "num", "fixed",
    "123", "12", "even", "page", "old", "ws", "short", "ab", "posts", "x", "\u00e9",
]


def make_map(rules: list[tuple[str, dict[str, t.Any]]], **options: t.Any) -> Map:
    url_map = Map(**options)
    url_map.converters["even"] = EvenConverter
    for i, (rule, rule_options) in enumerate(rules):
        rule_options = dict(rule_options)
        endpoint = rule_options.pop("endpoint", f"e{i}")
        url_map.add(Rule(rule, endpoint=endpoint, **rule_options))
    return url_map


def werkzeug_answer(url_map: Map, path: str, method: str) -> t.Any:
    adapter = url_map.bind("localhost")
    try:
        return adapter.match(path, method, return_rule=True)
    except (HTTPException, RequestRedirect, ValueError) as e:
        return type(e)


def compare(url_map: Map, paths: t.Iterable[str]) -> tuple[int, int]:
    tree = compile_matcher(url_map)
    assert tree is not None
    answered = total = 0
    for path, method in itertools.product(paths, ["GET", "POST", "PUT", "DELETE", "HEAD"]):
        total += 1
        try:
            compiled = match_compiled(tree, "", path, method)
        except ValueError as e:
            compiled = type(e)
        if compiled is None:
            continue
        answered += 1
        expected = werkzeug_answer(url_map, path, method)
        if isinstance(compiled, type):
            assert compiled is expected, (path, method)
            continue
        assert isinstance(expected, tuple), (path, method, compiled, expected)
        assert compiled[0] is expected[0], (path, method, compiled[0], expected[0])
        assert compiled[1] == expected[1], (path, method)
        assert [type(v) for v in compiled[1].values()] == [type(v) for v in expected[1].values()]
    return answered, total


def every_path(depth: int) -> list[str]:
    paths = []
    for n in range(depth + 1):
        for parts in itertools.product(SEGMENTS, repeat=n):
            paths.append("/" + "/".join(parts))
    return paths


@pytest.mark.parametrize("options", [{}, {"strict_slashes": False}, {"merge_slashes": False}, {"redirect_defaults": False}])
def test_every_short_path_matches_as_werkzeug(options: dict[str, t.Any]) -> None:
    url_map = make_map(RULES, **options)
    answered, total = compare(url_map, every_path(2) + random_paths(3000, seed=1))
    assert answered > total // 20


def random_paths(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [
        "/" + "/".join(rng.choice(SEGMENTS) for _ in range(rng.randint(1, 5))) for _ in range(n)
    ]


@pytest.mark.parametrize("seed", range(8))
def test_random_rule_sets_match_as_werkzeug(seed: int) -> None:
    rng = random.Random(seed)
    rules = rng.sample(RULES, rng.randint(3, len(RULES)))
    answered, total = compare(make_map(rules), every_path(2) + random_paths(1500, seed))
    assert answered


def test_an_app_answers_the_same_with_and_without_the_compiled_matcher() -> None:
    answers = []
    for shortcut in (True, False):
        app = App("compiled", static_folder=None)
        app.config["TESTING"] = True
        app.router.static_shortcut = shortcut
        app.url_map.converters["even"] = EvenConverter

        def view(request: t.Any, **values: t.Any) -> str:
            return f"{request.endpoint} {sorted(values.items())}"

        for i, (rule, options) in enumerate(RULES):
            options = dict(options)
            endpoint = options.pop("endpoint", f"e{i}")
            if options.pop("websocket", False):
                continue
            app.add_url_rule(rule, endpoint, view, **options)
        client = app.test_client()
        answers.append(
            [
                (r.status_code, r.text, r.headers.get("Location"))
                for path in every_path(1) + random_paths(400, seed=3)
                for method in ("GET", "POST")
                for r in [client.open(path, method=method)]
            ]
        )
    assert answers[0] == answers[1]
    assert {200, 404, 405, 308} <= {status for status, _, _ in answers[0]}


def test_a_value_its_converter_cannot_read_is_left_to_werkzeug() -> None:
    # int() refuses more than 4,300 digits with ValueError; werkzeug reads
    # that as no match for the rule, and answers 405 from the other rule.
    from microweb import App

    app = App(__name__)

    @app.post("/x/<int:n>")
    def post(request, n):
        return "post"

    @app.put("/x/<int:n>")
    def put(request, n):
        return "put"

    response = app.test_client().get("/x/" + "1" * 5000)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST", "PUT"}
