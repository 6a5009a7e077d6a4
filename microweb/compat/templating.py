"""``flask.templating``: rendering with the current request."""

from __future__ import annotations

from .helpers import render_template as render_template
from .helpers import render_template_string as render_template_string
from .helpers import get_template_attribute as get_template_attribute
from .helpers import stream_template as stream_template
from .helpers import stream_template_string as stream_template_string
