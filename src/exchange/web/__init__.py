"""The public portal: server-rendered pages (Jinja2) over the same services and read models as the API.

``install(app)`` mounts the pages, their static files and the self-hosted ``/docs``. A page handler parses
its query like the API does, calls the service the API calls, and renders the read model it returns;
rules, permissions and redactions live in the services, never here."""

from exchange.web.router import install

__all__ = ["install"]
