"""``flask.debughelpers``: clearer errors for mistakes that are easy to make, in debug mode."""

from __future__ import annotations

import typing as t

from werkzeug.datastructures import MultiDict

from ..errors import RedirectDropsFormData

if t.TYPE_CHECKING:
    from ..wrappers import Request


class DebugFilesKeyError(KeyError, AssertionError):
    """``request.files[key]`` of a field the form sent as text: the form lacks the multipart enctype."""

    def __init__(self, request: Request, key: str) -> None:
        sent = ", ".join(repr(value) for value in request.form.getlist(key))
        self.msg = (
            f"request.files has no {key!r}: the browser sent that field as"
            f" text ({request.mimetype or 'no content type'}), so no file"
            f" contents were transmitted. This was submitted: {sent}. A form"
            ' that uploads files needs enctype="multipart/form-data" on its'
            " <form> tag."
        )
        super().__init__(self.msg)

    def __str__(self) -> str:
        return self.msg


class FilesExplained(MultiDict[str, t.Any]):
    """The empty ``request.files`` of a debug-mode request that was not multipart.

    A missing key that the form has raises :class:`DebugFilesKeyError`.
    """

    def __init__(self, request: Request) -> None:
        super().__init__()
        self.request = request

    def __getitem__(self, key: str) -> t.Any:
        try:
            return super().__getitem__(key)
        except KeyError:
            if key not in self.request.form:
                raise
            raise DebugFilesKeyError(self.request, key) from None


#: Raised in debug mode when a routing redirect would lose a form's data.
FormDataRoutingRedirect = RedirectDropsFormData
