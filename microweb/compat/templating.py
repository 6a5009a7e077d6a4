"""``flask.templating``: rendering with the current request, and the app's environment class."""

from __future__ import annotations

import typing as t

from ..templating import AppEnvironment
from .helpers import get_template_attribute as get_template_attribute
from .helpers import render_template as render_template
from .helpers import render_template_string as render_template_string
from .helpers import stream_template as stream_template
from .helpers import stream_template_string as stream_template_string

if t.TYPE_CHECKING:
    from ..app import App


class Environment(AppEnvironment):
    """The class of a Flask app's ``jinja_env``: ``Environment(app, **options)``.

    Set a subclass as ``jinja_environment`` on a ``Flask`` subclass to use
    it. Without a ``loader`` option it loads through
    ``app.create_global_jinja_loader()``: the app's template folder, then
    its blueprints'.
    """

    def __init__(self, app: App, **options: t.Any) -> None:
        if "loader" not in options:
            make_loader = getattr(app, "create_global_jinja_loader", None)
            if make_loader is not None:
                options["loader"] = make_loader()
        super().__init__(**options)
        #: The app the environment belongs to.
        self.app = app
