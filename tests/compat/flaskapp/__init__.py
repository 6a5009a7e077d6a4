"""Logbook: a small team journal, written the way Flask apps are written.

It is a Flask app whose ``from flask import ...`` lines became
``from microweb.compat import ...`` and nothing else; its tests, in
``../flaskapp_tests``, are written the way Flask projects test.
"""

import os

from microweb.compat import Flask, render_template


def create_app(test_config=None):
    """Build and configure the app (the application factory)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="not a secret: set one in instance/config.py",
        DATABASE=os.path.join(app.instance_path, "logbook.sqlite"),
        LOGBOOK_TITLE="Logbook",
    )

    if test_config is None:
        # A deployment keeps its secret key and paths out of the code.
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)

    os.makedirs(app.instance_path, exist_ok=True)

    from . import auth, blog, db

    db.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(blog.bp)

    @app.errorhandler(404)
    def page_not_found(error):
        return render_template("404.html", error=error), 404

    @app.context_processor
    def inject_title():
        return {"logbook_title": app.config["LOGBOOK_TITLE"]}

    return app
