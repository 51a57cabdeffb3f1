"""Keeps credentials out of the HTTP library's log records (httpx logs every request URL at INFO)."""

from __future__ import annotations

import logging
import threading
import weakref

from .vault import Secret, mask_text
from .wire import Settings

_LOGGERS = ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy")


class _Redactor(logging.Filter):
    """Masks every known credential, in every form it can take on the wire, in a record's message."""

    def __init__(self) -> None:
        super().__init__("arazzo-codegen")
        self._vault: weakref.WeakSet[Secret] = weakref.WeakSet()  # forgotten with their client
        self._lock = threading.Lock()
        self._attached = False

    def protect(self, settings: Settings) -> None:
        if not settings.credentials:
            return
        with self._lock:
            self._vault.update(settings.vault)
            if not self._attached:
                for name in _LOGGERS:
                    logging.getLogger(name).addFilter(self)
                self._attached = True

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            vault = tuple(self._vault)
        if not vault:
            return True
        message = record.getMessage()
        masked = mask_text(message, vault)
        if masked != message:
            record.msg, record.args = masked, None
        return True


REDACTOR = _Redactor()
