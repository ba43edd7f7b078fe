"""The Flask edge of xborder: app factory, configuration, database, HTTP API and CLI."""

from service.app import create_app

__all__ = ["create_app"]
