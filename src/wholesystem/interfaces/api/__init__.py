"""The workbench's web API (FastAPI) over the store; the pages are in
:mod:`wholesystem.interfaces.web`.

- :mod:`~wholesystem.interfaces.api.app`: :func:`create_app`;
- :mod:`~wholesystem.interfaces.api.access`: local and shared mode, logins, roles;
- :mod:`~wholesystem.interfaces.api.workbench`: uploads and compiled models;
- routes: :mod:`~wholesystem.interfaces.api.access_routes`,
  :mod:`~wholesystem.interfaces.api.model_routes`,
  :mod:`~wholesystem.interfaces.api.work_routes`;
- :mod:`~wholesystem.interfaces.api.views`: what the pages draw, read from results;
- :mod:`~wholesystem.interfaces.api.problems`: problem+json errors.
"""

from wholesystem.interfaces.api.app import create_app

__all__ = ["create_app"]
