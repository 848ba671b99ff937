"""The Starlette application of `cchc serve`: routes, live events, upload, safety headers.

Pages are rendered in Starlette's thread pool (plain `def` endpoints), so a long evaluation
or render never stalls the event stream. Every response carries a content security policy
that allows only this server's own script: a value that slipped past escaping still could
not run.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ..errors import CchcError
from ..messages import set_language
from ..render.report.templates import default_dir
from . import upload
from .pages import NotFound, Page, Pages, app_words
from .watcher import Hub, watch
from .workspace import Snapshot, Workspace

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; connect-src 'self'; "
    "style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
UPLOAD_HEADER = "x-cchc-upload"   # a custom header: a cross-site form cannot send it
KEEP_ALIVE_SECONDS = 15.0


def _shows_na(request: Request) -> bool:
    """`?na=1`: the page shows not applicable results (hidden by default)."""
    return request.query_params.get("na") == "1"


def state(snap: Snapshot) -> dict[str, Any]:
    """What an open page needs to know to decide whether it is stale."""
    return {"version": snap.version, "ok": snap.ok, "ms": round(snap.seconds * 1000),
            "cpu_ms": round(snap.cpu * 1000),
            "problems": [p.format() for p in snap.problems]}


class ServeApp:
    """The routes over one workspace; `stopping` ends the event streams (Ctrl-C)."""

    def __init__(self, workspace: Workspace, detail: str = "auto") -> None:
        self.ws = workspace
        self.pages = Pages(workspace.lang, detail, workspace.evidence)
        self.hub = Hub()
        self.stopping = asyncio.Event()
        self.script = (default_dir() / "app" / "live.js").read_bytes()  # a fixed file

    # -- pages ------------------------------------------------------------------------------

    def _respond(self, page: Page) -> Response:
        return HTMLResponse(self.pages.render(page), page.status, headers=HEADERS)

    def _page(self, make) -> Response:
        set_language(self.ws.lang)
        snap = self.ws.snapshot
        try:
            page = make(snap)
        except NotFound as err:
            page = self.pages.not_found(snap, err)
        except CchcError as err:   # a side input of a page (the index's evidence file)
            page = self.pages.bad_input(snap, err)
        return self._respond(page)

    def home(self, request: Request) -> Response:
        na = _shows_na(request)
        return self._page(lambda snap: self.pages.summary(snap, na))

    def quality(self, request: Request) -> Response:
        na = _shows_na(request)
        return self._page(lambda snap: self.pages.quality(snap, na))

    def unit(self, request: Request) -> Response:
        unit, period = request.path_params["unit"], request.query_params.get("period")
        na = _shows_na(request)
        return self._page(lambda snap: self.pages.unit(snap, unit, period, na))

    def target(self, request: Request) -> Response:
        target, period = request.path_params["target"], request.query_params.get("period")
        return self._page(lambda snap: self.pages.target(snap, target, period))

    def appraisal(self, request: Request) -> Response:
        period = request.query_params.get("period")
        return self._page(lambda snap: self.pages.appraisal(snap, period))

    def explain(self, request: Request) -> Response:
        q = request.query_params
        return self._page(lambda snap: self.pages.explain(
            snap, q.get("target", ""), q.get("unit", ""), q.get("period", "")))

    def live_js(self, request: Request) -> Response:
        return Response(self.script, media_type="text/javascript", headers=HEADERS)

    def state(self, request: Request) -> Response:
        return JSONResponse(state(self.ws.snapshot), headers=HEADERS)

    # -- upload -----------------------------------------------------------------------------

    async def upload(self, request: Request) -> Response:
        if request.headers.get(UPLOAD_HEADER) != "1":
            return Response("missing upload header", 403, headers=HEADERS)
        declared = request.headers.get("content-length", "")
        body = bytearray()
        if not (declared.isdigit() and int(declared) > upload.MAX_BYTES):
            async for chunk in request.stream():
                body += chunk
                if len(body) > upload.MAX_BYTES:
                    break
        else:
            body = bytearray(upload.MAX_BYTES + 1)  # refused unread: the size says enough
        name = request.query_params.get("name", "")
        status = 413 if len(body) > upload.MAX_BYTES else 200

        def render() -> str:
            set_language(self.ws.lang)
            snap = self.ws.snapshot
            context = self.pages.frame(snap, "") | {
                "p": upload.preview_context(self.ws, snap, self.pages, name, bytes(body))}
            return self.pages.render(Page("app/preview.html.j2", context))

        html = await anyio.to_thread.run_sync(render)
        return HTMLResponse(html, status, headers=HEADERS)

    # -- live -------------------------------------------------------------------------------

    async def changed(self) -> None:
        # Said at once, so a page can show that new results are on their way.
        self.hub.publish(json.dumps(state(self.ws.snapshot) | {"busy": True}))
        snap = await anyio.to_thread.run_sync(self.ws.refresh)
        self.hub.publish(json.dumps(state(snap)))

    async def events(self, request: Request) -> Response:
        queue = self.hub.subscribe()

        async def stream() -> AsyncIterator[str]:
            try:
                yield f"retry: 1000\nevent: update\ndata: {json.dumps(state(self.ws.snapshot))}\n\n"
                while not self.stopping.is_set():
                    try:
                        message = await asyncio.wait_for(queue.get(), KEEP_ALIVE_SECONDS)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    if message is None:
                        return
                    yield f"event: update\ndata: {message}\n\n"
            finally:
                self.hub.unsubscribe(queue)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers=HEADERS | {"X-Accel-Buffering": "no"})

    def stop(self) -> None:
        """End every event stream now (called on the event loop when the server stops)."""
        self.stopping.set()
        self.hub.publish(None)

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette, watching: bool = True,
                       ready: Callable[[], None] | None = None) -> AsyncIterator[None]:
        task = (asyncio.create_task(watch(self.ws.watched, self.changed, self.stopping,
                                          seen=self.ws.seen)) if watching else None)
        if ready is not None:  # the server's signal handlers are in place from here on
            ready()
        try:
            yield
        finally:
            self.stop()
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


def create_app(workspace: Workspace, *, watching: bool = True,
               allowed_hosts: Sequence[str] | None = None, detail: str = "auto",
               ready: Callable[[], None] | None = None) -> Starlette:
    """The app over `workspace` (refreshed once first if it never was). `allowed_hosts`:
    Host header values accepted (a DNS-rebinding guard for a loopback server); `ready` is
    called once the app has started."""
    if workspace.snapshot.version == 0:
        workspace.refresh()
    serve = ServeApp(workspace, detail)
    routes = [
        Route("/", serve.home), Route("/quality", serve.quality),
        Route("/unit/{unit:path}", serve.unit), Route("/target/{target:path}", serve.target),
        Route("/explain", serve.explain), Route("/events", serve.events),
        Route("/appraisal", serve.appraisal),
        Route("/state", serve.state), Route("/static/live.js", serve.live_js),
        Route("/upload", serve.upload, methods=["POST"]),
        Route("/favicon.ico", lambda request: Response(status_code=204, headers=HEADERS)),
    ]
    middleware = ([Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))]
                  if allowed_hosts else [])
    app = Starlette(routes=routes, middleware=middleware,
                    lifespan=lambda app: serve.lifespan(app, watching, ready))
    app.state.serve = serve
    app.state.words = app_words(workspace.lang)
    return app
