"""Urlencoded query strings and forms, parsed as werkzeug parses them, with fewer calls.

:func:`parse_urlencoded` gives the pairs werkzeug's parser gives (a
fuzz test in ``tests/test_wrappers.py`` compares the two) and
:func:`parse_flat` reads the commonest form, ASCII with distinct names,
with a few C calls into a :class:`FlatMultiDict`, whose ``form[name]`` is
a plain dict lookup.
"""

from __future__ import annotations

import typing as t
from codecs import escape_decode
from itertools import repeat
from urllib.parse import parse_qsl, unquote, unquote_to_bytes

from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import BadRequestKeyError

#: The content type of a urlencoded form, parsed by :func:`parse_urlencoded`.
URLENCODED = "application/x-www-form-urlencoded"


def _unquote(text: str) -> str:
    """Decode the ``%`` escapes of *text* as :func:`urllib.parse.unquote` does, bad bytes kept escaped."""
    if text.isascii():
        # perf: unquote's own split leaves all-ASCII text in one piece,
        # and its escapes are \\x escapes for the C codec, backslashes
        # doubled; a % without two hex digits after it (which unquote
        # keeps) makes the codec refuse, and unquote_to_bytes decodes.
        try:
            raw = escape_decode(text.encode().replace(b"\\", b"\\\\").replace(b"%", b"\\x"))[0]
        except ValueError:
            raw = unquote_to_bytes(text)
        return raw.decode("utf-8", "werkzeug.url_quote")
    return unquote(text, errors="werkzeug.url_quote")


def _unquote_separated(text: str) -> str | None:
    if "%00" in text or "%01" in text:
        return None
    marked = text.replace("&", "\x00").replace("=", "\x01").encode()
    try:
        raw = escape_decode(marked.replace(b"\\", b"\\\\").replace(b"%", b"\\x"))[0]
    except ValueError:
        return None
    return raw.decode("utf-8", "werkzeug.url_quote")


class FlatMultiDict(ImmutableMultiDict[str, str]):
    """An :class:`~werkzeug.datastructures.ImmutableMultiDict` whose dict holds first values.

    werkzeug's keeps a list per name, so every ``form[name]`` runs its
    Python ``__getitem__``. Here the dict itself maps each name to its
    first value and ``form[name]`` is the dict's own lookup, in C; a name
    sent more than once also has all its values in :attr:`_more`. Every
    other method answers as werkzeug's does, a missing name included (a
    :class:`~werkzeug.exceptions.BadRequestKeyError`, so a 400).
    """

    #: The values of each name sent more than once; most forms have none.
    _more: dict[str, list[str]] = {}

    # perf: dict's lookup in C, with __missing__ for an absent name,
    # instead of MultiDict's Python __getitem__ (one call per read).
    __getitem__ = dict.__getitem__

    def __init__(self, mapping: t.Any = None) -> None:
        self._fill(dict.items(MultiDict(mapping)))

    def _fill(self, lists: t.Iterable[tuple[str, list[str]]]) -> None:
        more = {}
        for name, values in lists:
            if values:
                dict.__setitem__(self, name, values[0])
                if len(values) > 1:
                    more[name] = list(values)
        if more:
            self._more = more

    def __missing__(self, key: str) -> t.NoReturn:
        raise BadRequestKeyError(key)

    def get(self, key: str, default: t.Any = None, type: t.Callable[[str], t.Any] | None = None) -> t.Any:  # type: ignore[override]  # werkzeug's overloads, one signature
        """Return the first value of *key*, or *default*; see werkzeug's ``get``."""
        if key not in self:
            return default
        rv = dict.__getitem__(self, key)
        if type is None:
            return rv
        try:
            return type(rv)
        except (ValueError, TypeError):
            return default

    def getlist(self, key: str, type: t.Callable[[str], t.Any] | None = None) -> list[t.Any]:
        """Return every value of *key*, converted by *type*; see werkzeug's ``getlist``."""
        values = self._more.get(key)
        if values is None:
            if key not in self:
                return []
            values = [dict.__getitem__(self, key)]
        if type is None:
            return list(values)
        result = []
        for value in values:
            try:
                result.append(type(value))
            except (ValueError, TypeError):
                pass
        return result

    def items(self, multi: bool = False) -> t.Iterator[tuple[str, str]]:  # type: ignore[override]  # werkzeug's is a generator too
        """The ``(name, value)`` pairs: first values, or every value if *multi*."""
        more = self._more
        for name, value in dict.items(self):
            if multi and name in more:
                for each in more[name]:
                    yield name, each
            else:
                yield name, value

    def lists(self) -> t.Iterator[tuple[str, list[str]]]:
        """The ``(name, values)`` pairs, each list a copy."""
        more = self._more
        for name, value in dict.items(self):
            yield name, list(more[name]) if name in more else [value]

    def values(self) -> t.Iterator[str]:  # type: ignore[override]  # werkzeug's is a generator too
        """The first value of each name."""
        yield from dict.values(self)

    def listvalues(self) -> t.Iterator[list[str]]:
        """The values of each name, as lists."""
        for _, values in self.lists():
            yield values

    def __setstate__(self, value: t.Any) -> None:
        self._fill(value.items())

    def __eq__(self, other: object) -> bool:
        # As werkzeug's: the dicts of lists compared.
        if isinstance(other, FlatMultiDict):
            other = dict(other.lists())
        return dict(self.lists()) == other

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = ImmutableMultiDict.__hash__  # type: ignore[assignment]  # werkzeug's, which __eq__ hid


#: What a urlencoded form's bytes become before its escapes are decoded in
#: one go: ``+`` a space, and the ``&`` and ``=`` between pairs and names
#: ``\x00`` and ``\x01``, which no escape may then produce.
_MARK_SEPARATORS = bytes.maketrans(b"+&=", b" \x00\x01")


def parse_flat(body: bytes, text: str) -> FlatMultiDict | None:
    """Parse an ASCII urlencoded form whose names all differ, else ``None``.

    The common form, read with a handful of C calls: the escapes decoded
    by the C codec in one pass over the whole body, the pairs split and
    put in the dict by ``dict.update``. ``None`` for anything it cannot
    do (an escape of ``\x00`` or ``\x01``, a ``%`` without two hex
    digits, a pair without ``=`` or with two, an empty pair, a name sent
    twice), which :func:`parse_urlencoded` then parses.

    :param body: The form's bytes.
    :param text: The same, decoded (ASCII): searching text costs less.
    """
    if "%0" in text and ("%00" in text or "%01" in text) or "\x00" in text or "\x01" in text:
        return None
    # perf: one C pass makes + a space and & and = the separators.
    marked = body.translate(_MARK_SEPARATORS)
    if "%" in text:
        if "\\" in text:
            # The codec reads a backslash as the start of an escape.
            marked = marked.replace(b"\\", b"\\\\")
        try:
            text = escape_decode(marked.replace(b"%", b"\\x"))[0].decode("utf-8", "werkzeug.url_quote")
        except ValueError:
            return None
    else:
        text = marked.decode()
    pieces = text.split("\x00")
    if text.count("\x01") != len(pieces):
        return None
    rv = FlatMultiDict.__new__(FlatMultiDict)
    try:
        # perf: each piece split at its one \x01 and stored, all in C.
        dict.update(rv, map(str.split, pieces, repeat("\x01"), repeat(1)))  # type: ignore[arg-type]  # lists of two, which dict.update takes as pairs
    except ValueError:
        return None
    if len(rv) != len(pieces):
        return None
    return rv


def parse_urlencoded(text: str, cls: type[MultiDict[str, str]] = ImmutableMultiDict) -> MultiDict[str, str]:
    """Parse a query string or urlencoded form into a *cls* of its pairs.

    The same as werkzeug's parsing (:func:`urllib.parse.parse_qsl` with
    blank values kept and bad escapes left percent-encoded), with less
    work: ``+`` is never ``&`` nor ``=``, so it becomes a space in one
    pass, and a value's escapes go to a C codec.
    """
    if cls is not ImmutableMultiDict and cls is not MultiDict:
        # Another storage class (an ordered one, say) keeps the pairs in
        # their order across names: give it the pairs, as werkzeug does.
        return cls(parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote"))
    if "+" in text:
        text = text.replace("+", " ")
    escaped = "%" in text
    lists: dict[str, list[str]] = {}
    if escaped and text.isascii() and "\x00" not in text and "\x01" not in text:
        # perf: the whole text decoded in one go by the C codec, with the
        # & and = that separate pairs and names first made \x00 and \x01,
        # which no escape may then produce; an = inside a value was \x01
        # too and becomes = again. Anything this cannot do (an escape of
        # \x00 or \x01, a % without two hex digits) goes pair by pair.
        whole = _unquote_separated(text)
        if whole is not None:
            for piece in whole.split("\x00"):
                if not piece:
                    continue
                name, _, value = piece.partition("\x01")
                if "\x01" in value:
                    value = value.replace("\x01", "=")
                values = lists.get(name)
                if values is None:
                    lists[name] = [value]
                else:
                    values.append(value)
            text = ""
    for piece in text.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        if escaped:
            if "%" in name:
                name = _unquote(name)
            if "%" in value:
                if value.isascii():
                    # perf: _unquote's first case, inlined.
                    try:
                        raw = escape_decode(
                            value.encode().replace(b"\\", b"\\\\").replace(b"%", b"\\x")
                        )[0]
                        value = raw.decode("utf-8", "werkzeug.url_quote")
                    except ValueError:
                        value = _unquote(value)
                else:
                    value = _unquote(value)
        values = lists.get(name)
        if values is None:
            lists[name] = [value]
        else:
            values.append(value)
    if cls is ImmutableMultiDict:
        # perf: the lists are already what a MultiDict holds; its
        # __init__ would build them again, one pair at a time.
        rv: MultiDict[str, str] = cls.__new__(cls)  # type: ignore[arg-type]  # the class itself
        dict.update(rv, lists)
        return rv
    return cls(lists)
