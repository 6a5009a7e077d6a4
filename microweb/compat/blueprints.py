"""``Blueprint`` with Flask's arguments, in Flask's order."""

from __future__ import annotations

import os
import typing as t

from .. import blueprints as _core

#: ``BlueprintSetupState``, as Flask names it.
BlueprintSetupState = _core.BlueprintSetupState


class Blueprint(_core.Blueprint):
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

