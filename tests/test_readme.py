"""The README's examples run as shown."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.rst"


def code_block_under(heading: str) -> str:
    """Return the first ``.. code-block:: python`` after *heading*."""
    text = README.read_text()
    section = text[text.index(f"\n{heading}\n") :]
    match = re.search(r"\.\. code-block:: python\n\n((?:    .*\n|\n)+)", section)
    assert match, heading
    return textwrap.dedent(match.group(1))


def test_the_same_view_both_ways() -> None:
    namespace: dict[str, object] = {"__name__": "readme_both_ways"}
    exec(compile(code_block_under("The same view, both ways"), "README.rst", "exec"), namespace)
    client = namespace["app"].test_client()  # type: ignore[attr-defined]
    assert client.get("/flask/ann?page=2").text == "ann, page 2: /flask/ann"
    assert client.get("/explicit/bob").text == "bob, page 1: /explicit/bob"
