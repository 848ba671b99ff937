"""`cchc serve`: the results as a live local web app (Starlette + uvicorn).

workspace.py evaluates the watched files through one pipeline `Session` and keeps the last
good results; watcher.py notices when a file changes and tells open pages (server-sent
events); pages.py turns an evaluation into page contexts with the report's own formatting;
upload.py previews a dropped form; app.py wires the routes. Nothing here writes a file the
user gave, and no URL path is ever used as a file name.
"""
from __future__ import annotations

from .app import create_app
from .workspace import Workspace

__all__ = ["Workspace", "create_app"]
