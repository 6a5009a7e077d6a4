"""``flask.wrappers``: the request and response classes."""

from __future__ import annotations

from ..wrappers import Request as Request
from ..wrappers import Response as Response
