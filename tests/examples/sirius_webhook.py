"""A Sirius webhook receiver that completes the status of its "live" action.

Sirius calls a registered app's webhook for every event. When the app declared an action
for the event, the request carries a status id in the ``x-sirius-status-id`` header, and
the app must complete that status through Sirius' public GraphQL API once the action is
done. This receiver, written with the standard library's :mod:`http.server` only, does
what Sirius' documentation shows:

* the event name is read from ``x-sirius-event``; only ``live`` events run the handler;
* when the handler returns, the status is completed with conclusion ``success`` and the
  output title "Live saved";
* when the handler raises, the status is completed with conclusion ``failure``, the title
  "Error while saving live" and the exception's message as the summary;
* without a status id nothing is sent to Sirius; every webhook is answered ``200 OK``.

The status is updated with the generated ``complete_status`` workflow function before the
webhook is answered. The Sirius URL and token come from the constructor, else from the
``SIRIUS_URL`` / ``SIRIUS_TOKEN`` environment variables (without a URL, the workflow's
default server is used)::

    SIRIUS_URL=https://lemonde.sirius.press SIRIUS_TOKEN=... \\
        python -m tests.examples.sirius_webhook --port 8080
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, cast

from generated import ArazzoError, Client
from generated.sirius_status_update import complete_status

__all__ = ["LiveHandler", "SiriusWebhookReceiver", "main"]

log = logging.getLogger("sirius_webhook")

#: Receives the JSON payload of a live event; raising marks the action failed.
LiveHandler = Callable[[Any], None]

STATUS_HEADER = "x-sirius-status-id"
EVENT_HEADER = "x-sirius-event"
SUCCESS_TITLE = "Live saved"
FAILURE_TITLE = "Error while saving live"


def log_live(payload: Any) -> None:
    """The default live handler: log the event."""
    log.info("live event received: %s", json.dumps(payload)[:200])


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], receiver: SiriusWebhookReceiver) -> None:
        super().__init__(address, _WebhookHandler)
        self.receiver = receiver


class _WebhookHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SiriusWebhookReceiver/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_POST(self) -> None:
        receiver = cast(_Server, self.server).receiver
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        if self.path.split("?", 1)[0] != receiver.path:
            self._answer(404, b"Not Found")
            return
        receiver.process(self.headers.get(EVENT_HEADER), self.headers.get(STATUS_HEADER), body)
        self._answer(200, b"OK")

    def _answer(self, status: int, text: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)


class SiriusWebhookReceiver:
    """Serves Sirius webhooks on ``host:port`` (port 0: a free port) at ``path``.

    ``handle_live`` runs for each live event. ``sirius_url`` / ``token`` default to the
    ``SIRIUS_URL`` / ``SIRIUS_TOKEN`` environment variables; ``client`` replaces the
    generated :class:`Client` built from them. Use it as a context manager
    (``start()``/``stop()``, serving from a thread) or call :meth:`serve_forever`.
    """

    def __init__(
        self,
        handle_live: LiveHandler = log_live,
        *,
        sirius_url: str | None = None,
        token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        path: str = "/webhook",
        client: Client | None = None,
    ) -> None:
        self.handle_live = handle_live
        self.path = path
        if client is None:
            url = sirius_url or os.environ.get("SIRIUS_URL") or None
            secret = token or os.environ.get("SIRIUS_TOKEN") or None
            client = Client(
                base_url=url,
                credentials={"bearerAuth": secret} if secret is not None else None,
            )
            self._owns_client = True
        else:
            self._owns_client = False
        self.client = client
        self._server = _Server((host, port), self)
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"SiriusWebhookReceiver(url={self.url!r}, client={self.client!r})"

    @property
    def url(self) -> str:
        """The webhook URL to register in Sirius."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self.path}"

    # ------------------------------------------------------------------ events

    def process(self, event: str | None, status_id: str | None, body: bytes) -> None:
        """Handle one webhook: run the live handler and complete the status, if any."""
        if event != "live":
            log.info("ignoring %r event", event)
            return
        try:
            payload = json.loads(body) if body else None
            self.handle_live(payload)
        except Exception as error:
            log.warning("live event failed: %s", error)
            if status_id:
                self._complete(status_id, "failure", FAILURE_TITLE, str(error))
        else:
            if status_id:
                self._complete(status_id, "success", SUCCESS_TITLE, None)

    def _complete(
        self,
        status_id: str,
        conclusion: Literal["success", "failure"],
        title: str,
        summary: str | None,
    ) -> None:
        try:
            complete_status(
                status_id=status_id,
                conclusion=conclusion,
                output_title=title,
                output_summary=summary,
                client=self.client,
            )
        except ArazzoError as error:  # Sirius refused the update: report it, keep serving
            log.error("could not complete status %s: %s", status_id, error)
        else:
            log.info("status %s completed: %s", status_id, conclusion)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> SiriusWebhookReceiver:
        """Serve from a daemon thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="sirius-webhook",
                daemon=True,
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self._server.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()
        if self._owns_client:
            self.client.close()

    def __enter__(self) -> SiriusWebhookReceiver:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Receive Sirius webhooks and complete live statuses."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--path", default="/webhook")
    parser.add_argument("--sirius-url", default=None, help="default: $SIRIUS_URL")
    parser.add_argument("--token", default=None, help="default: $SIRIUS_TOKEN")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    receiver = SiriusWebhookReceiver(
        sirius_url=args.sirius_url,
        token=args.token,
        host=args.host,
        port=args.port,
        path=args.path,
    )
    log.info("listening on %s", receiver.url)
    try:
        receiver.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        receiver.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
