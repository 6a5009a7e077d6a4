"""``Blueprint`` with Flask's arguments, in Flask's order."""

from __future__ import annotations

import os
import typing as t

from werkzeug.exceptions import NotFound

from .. import blueprints as _core
from ..helpers import send_file_max_age, send_from_directory
from .context import current_app_object
from .helpers import static_file_arguments
from .typing import FlaskStyleBlueprintSetup

if t.TYPE_CHECKING:
    from ..wrappers import Response

#: ``BlueprintSetupState``, as Flask names it.
BlueprintSetupState = _core.BlueprintSetupState


class Blueprint(FlaskStyleBlueprintSetup, _core.Blueprint):
    """A :class:`microweb.Blueprint` that takes Flask's positional arguments.

    Its views and hooks may take the request or not, once registered on an
    app with proxies on.
    """

    def __init__(
        self,
        name: str,
        import_name: str,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        url_prefix: str | None = None,
        subdomain: str | None = None,
        url_defaults: dict[str, t.Any] | None = None,
        root_path: str | None = None,
        **kwargs: t.Any,
    ) -> None:
        # cli_group passes through kwargs: its default is the core's.
        super().__init__(
            name,
            import_name,
            url_prefix=url_prefix,
            subdomain=subdomain,
            url_defaults=url_defaults,
            static_folder=static_folder,
            static_url_path=static_url_path,
            template_folder=template_folder,
            root_path=root_path,
            **kwargs,
        )
        from .cli import AppGroup

        #: The blueprint's commands; they run inside ``app.app_context()``.
        self.cli: AppGroup = AppGroup(name)

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """Seconds a client may cache a static file of the blueprint: the app's ``SEND_FILE_MAX_AGE_DEFAULT``; override to vary it."""
        return send_file_max_age(current_app_object().config)

    def send_static_file(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """Send a file of the blueprint's static folder; Flask's ``send_static_file(filename)`` too."""
        request, filename = static_file_arguments(args, kwargs)
        if self.static_folder is None:
            raise NotFound()
        folder = os.path.join(self.root_path, self.static_folder)
        return send_from_directory(request, folder, filename, max_age=self.get_send_file_max_age)
