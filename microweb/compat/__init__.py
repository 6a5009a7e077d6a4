"""Flask's public names on microweb: the proxies, and the helpers that read them.

Imported only by an app that turns proxies on (``App(..., proxies=True)``
or :class:`Flask`); ``import microweb`` never loads it. See :doc:`compat`.
"""

from __future__ import annotations

from markupsafe import Markup as Markup
from markupsafe import escape as escape

from . import json as json
from . import signals as signals
from . import templating as templating
from .app import Flask as Flask
from .config import Config as Config
from .blueprints import Blueprint as Blueprint
from .context import current_app as current_app
from .ctx import AppContext as AppContext
from .ctx import RequestContext as RequestContext
from .context import g as g
from .context import request as request
from .context import session as session
from .helpers import abort as abort
from .helpers import after_this_request as after_this_request
from .helpers import copy_current_request_context as copy_current_request_context
from .helpers import flash as flash
from .helpers import get_flashed_messages as get_flashed_messages
from .helpers import get_template_attribute as get_template_attribute
from .helpers import has_app_context as has_app_context
from .helpers import has_request_context as has_request_context
from .helpers import jsonify as jsonify
from .helpers import make_response as make_response
from .helpers import redirect as redirect
from .helpers import render_template as render_template
from .helpers import render_template_string as render_template_string
from .helpers import send_file as send_file
from .helpers import send_from_directory as send_from_directory
from .helpers import stream_template as stream_template
from .helpers import stream_template_string as stream_template_string
from .helpers import stream_with_context as stream_with_context
from .helpers import url_for as url_for
from .sessions import SecureCookieSession as SecureCookieSession
from .sessions import SecureCookieSessionInterface as SecureCookieSessionInterface
from .sessions import SessionInterface as SessionInterface
from .sessions import SessionMixin as SessionMixin
from .signals import appcontext_popped as appcontext_popped
from .signals import appcontext_pushed as appcontext_pushed
from .signals import appcontext_tearing_down as appcontext_tearing_down
from .signals import before_render_template as before_render_template
from .signals import got_request_exception as got_request_exception
from .signals import message_flashed as message_flashed
from .signals import request_finished as request_finished
from .signals import request_started as request_started
from .signals import request_tearing_down as request_tearing_down
from .signals import template_rendered as template_rendered
from .wrappers import Request as Request
from .wrappers import Response as Response
