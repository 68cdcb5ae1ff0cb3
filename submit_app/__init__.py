"""Pas-de-porte submission app (placeholder until the form app lands)."""

from flask import Flask


def create_app(test_config=None):
    """Create the submission app."""
    app = Flask(__name__, instance_relative_config=True)
    if test_config:
        app.config.update(test_config)
    return app
