"""microweb: a web microframework whose views receive the request explicitly."""

from __future__ import annotations

from markupsafe import Markup as Markup
from markupsafe import escape as escape

from .app import App as App
from .blueprints import Blueprint as Blueprint
from .config import Config as Config
from .csrf import csrf_exempt as csrf_exempt
from .csrf import generate_csrf as generate_csrf
from .helpers import abort as abort
from .helpers import jsonify as jsonify
from .helpers import make_response as make_response
from .helpers import redirect as redirect
from .helpers import send_file as send_file
from .helpers import send_from_directory as send_from_directory
from .helpers import url_for as url_for
from .sessions import SecureCookieSessionInterface as SecureCookieSessionInterface
from .sessions import SessionInterface as SessionInterface
from .sessions import flash as flash
from .sessions import get_flashed_messages as get_flashed_messages
from .templating import render as render
from .templating import render_string as render_string
from .templating import stream as stream
from .templating import stream_string as stream_string
from .views import MethodView as MethodView
from .views import View as View
from .wrappers import Request as Request
from .wrappers import RequestGlobals as RequestGlobals
from .responses import Response as Response

__version__ = "0.1.0.dev0"
