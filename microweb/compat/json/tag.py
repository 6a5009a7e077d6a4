"""``flask.json.tag``: the tagged JSON that Flask's cookie session is written in.

Plain JSON has no tuples, bytes, datetimes, UUIDs or Markup. A value of
one of those types is written as a one-key object ``{tag: json}``; every
tag starts with a space, which ordinary keys seldom do, and a dict whose
only key *is* a tag is wrapped in ``" di"`` so that it is not misread:

==========  ===============================================  =================
tag         Python value                                     written as
==========  ===============================================  =================
``" t"``    ``tuple``                                        a list
``" b"``    ``bytes``                                        base64
``" m"``    anything with ``__html__`` (:class:`Markup`)     its HTML string
``" u"``    :class:`uuid.UUID`                               its hex
``" d"``    :class:`datetime.datetime`                       an HTTP date
``" di"``   ``{" t": 1}``, a dict that looks like a tag      ``{" t__": 1}``
==========  ===============================================  =================

It also reads what :class:`microweb.sessions.TaggedJSON` writes (an ISO
8601 ``" d"``, a ``" di"`` of ``[key, value]`` pairs), so this serializer
opens the core's cookies as well as Flask's.

An app adds a type by subclassing :class:`JSONTag` and registering it::

    class TagFraction(JSONTag):
        key = " fr"

        def check(self, value):
            return isinstance(value, Fraction)

        def to_json(self, value):
            return [value.numerator, value.denominator]

        def to_python(self, value):
            return Fraction(*value)

    app.session_interface.serializer.register(TagFraction, index=0)
"""

from __future__ import annotations

import typing as t
from base64 import b64decode, b64encode
from datetime import datetime
from uuid import UUID

from markupsafe import Markup
from werkzeug.http import http_date

from ...sessions import datetime_from_tag, dict_from_tag
from . import dumps, loads


class JSONTag:
    """One type the serializer tags; subclass it and :meth:`~TaggedJSONSerializer.register` it.

    A tag with an empty :attr:`key` converts a container's items and is
    written without a wrapper (dicts and lists are such tags).
    """

    __slots__ = ("serializer",)

    #: The one key of the object this type is written as; ``""`` for none.
    key: str = ""

    def __init__(self, serializer: TaggedJSONSerializer) -> None:
        #: The serializer the tag belongs to, to tag the items of a container.
        self.serializer = serializer

    def check(self, value: t.Any) -> bool:
        """Tell whether *value* is of this tag's type."""
        raise NotImplementedError

    def to_json(self, value: t.Any) -> t.Any:
        """Return *value* as something plain JSON holds."""
        raise NotImplementedError

    def to_python(self, value: t.Any) -> t.Any:
        """Return the Python value of what :meth:`to_json` wrote."""
        raise NotImplementedError

    def tag(self, value: t.Any) -> t.Any:
        """Return *value* converted, inside ``{key: ...}`` if the tag has a key."""
        if not self.key:
            return self.to_json(value)
        return {self.key: self.to_json(value)}


class TagDict(JSONTag):
    """A dict whose only key is a registered tag: its key gets ``"__"`` appended."""

    __slots__ = ()
    key = " di"

    def check(self, value: t.Any) -> bool:
        return (
            isinstance(value, dict)
            and len(value) == 1
            and next(iter(value)) in self.serializer.tags
        )

    def to_json(self, value: t.Any) -> t.Any:
        ((key, item),) = value.items()
        return {key + "__": self.serializer.tag(item)}

    def to_python(self, value: t.Any) -> t.Any:
        return dict_from_tag(value)


class PassDict(JSONTag):
    """Any other dict: its values are tagged, the dict itself is not."""

    __slots__ = ()

    def check(self, value: t.Any) -> bool:
        return isinstance(value, dict)

    def to_json(self, value: t.Any) -> t.Any:
        # JSON keys are strings: a key is left as it is, never tagged.
        return {key: self.serializer.tag(item) for key, item in value.items()}


class TagTuple(JSONTag):
    __slots__ = ()
    key = " t"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, tuple)

    def to_json(self, value: t.Any) -> t.Any:
        return [self.serializer.tag(item) for item in value]

    def to_python(self, value: t.Any) -> t.Any:
        return tuple(value)


class PassList(JSONTag):
    """A list: its items are tagged, the list itself is not."""

    __slots__ = ()

    def check(self, value: t.Any) -> bool:
        return isinstance(value, list)

    def to_json(self, value: t.Any) -> t.Any:
        return [self.serializer.tag(item) for item in value]


class TagBytes(JSONTag):
    __slots__ = ()
    key = " b"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, bytes)

    def to_json(self, value: t.Any) -> t.Any:
        return b64encode(value).decode("ascii")

    def to_python(self, value: t.Any) -> t.Any:
        return b64decode(value)


class TagMarkup(JSONTag):
    """Anything with an ``__html__`` method; it comes back as :class:`~markupsafe.Markup`."""

    __slots__ = ()
    key = " m"

    def check(self, value: t.Any) -> bool:
        return callable(getattr(value, "__html__", None))

    def to_json(self, value: t.Any) -> t.Any:
        return str(value.__html__())

    def to_python(self, value: t.Any) -> t.Any:
        return Markup(value)


class TagUUID(JSONTag):
    __slots__ = ()
    key = " u"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, UUID)

    def to_json(self, value: t.Any) -> t.Any:
        return value.hex

    def to_python(self, value: t.Any) -> t.Any:
        return UUID(value)


class TagDateTime(JSONTag):
    """A datetime, as an HTTP date: whole seconds, read back in UTC."""

    __slots__ = ()
    key = " d"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, datetime)

    def to_json(self, value: t.Any) -> t.Any:
        return http_date(value)

    def to_python(self, value: t.Any) -> t.Any:
        return datetime_from_tag(value)


class TaggedJSONSerializer:
    """Writes and reads tagged JSON; ``app.session_interface.serializer`` is one.

    Tags are tried in :attr:`order` and the first whose ``check`` accepts
    a value converts it, so a more specific tag goes before a general one.
    """

    __slots__ = ("tags", "order")

    #: The tag classes every new serializer registers, in this order.
    default_tags: t.ClassVar[list[type[JSONTag]]] = [
        TagDict,
        PassDict,
        TagTuple,
        PassList,
        TagBytes,
        TagMarkup,
        TagUUID,
        TagDateTime,
    ]

    def __init__(self) -> None:
        #: The tags that have a key, by key: what :meth:`untag` looks up.
        self.tags: dict[str, JSONTag] = {}
        #: Every tag, in the order :meth:`tag` tries them.
        self.order: list[JSONTag] = []
        for tag_class in self.default_tags:
            self.register(tag_class)

    def register(
        self, tag_class: type[JSONTag], force: bool = False, index: int | None = None
    ) -> None:
        """Add a tag of *tag_class* at *index* in :attr:`order` (at the end by default).

        :param force: Replace a tag registered under the same key.
        :raises KeyError: If the key is taken and *force* is false.
        """
        tag = tag_class(self)
        if tag.key:
            if tag.key in self.tags and not force:
                raise KeyError(f"Tag '{tag.key}' is already registered.")
            self.tags[tag.key] = tag
        if index is None:
            self.order.append(tag)
        else:
            self.order.insert(index, tag)

    def tag(self, value: t.Any) -> t.Any:
        """Return *value* as plain JSON data, with tagged objects where needed."""
        for tag in self.order:
            if tag.check(value):
                return tag.tag(value)
        return value

    def untag(self, value: dict[str, t.Any]) -> t.Any:
        """Return the Python value of *value* if it is a tagged object, else *value*."""
        if len(value) != 1:
            return value
        key = next(iter(value))
        tag = self.tags.get(key)
        if tag is None:
            return value
        return tag.to_python(value[key])

    def _untag_tree(self, value: t.Any) -> t.Any:
        # Innermost first, so that a tag's value is already Python when it
        # is converted (a tuple of bytes, say).
        if isinstance(value, dict):
            return self.untag({key: self._untag_tree(item) for key, item in value.items()})
        if isinstance(value, list):
            return [self._untag_tree(item) for item in value]
        return value

    def dumps(self, value: t.Any) -> str:
        """Return *value* as compact tagged JSON, written by the current app's provider."""
        return dumps(self.tag(value), separators=(",", ":"))

    def loads(self, value: str | bytes) -> t.Any:
        """Return the Python value of tagged JSON *value*."""
        return self._untag_tree(loads(value))


__all__ = [
    "JSONTag",
    "PassDict",
    "PassList",
    "TagBytes",
    "TagDateTime",
    "TagDict",
    "TagMarkup",
    "TagTuple",
    "TagUUID",
    "TaggedJSONSerializer",
]
