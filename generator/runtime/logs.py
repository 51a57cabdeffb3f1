"""Keeps credentials out of the HTTP library's log records (httpx logs every request URL at INFO)."""

from __future__ import annotations

import logging
import threading

from .wire import MASK, Settings, secret_forms

_LOGGERS = ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy")


class _Redactor(logging.Filter):
    """Masks every known credential, in every form it can take on the wire, in a record's message."""

    def __init__(self) -> None:
        super().__init__("arazzo-codegen")
        self._forms: frozenset[str] = frozenset()
        self._lock = threading.Lock()
        self._attached = False

    def protect(self, settings: Settings) -> None:
        forms = {form for secret in settings.credentials.values() for form in secret_forms(secret)}
        if not forms:
            return
        with self._lock:
            self._forms = self._forms | forms
            if not self._attached:
                for name in _LOGGERS:
                    logging.getLogger(name).addFilter(self)
                self._attached = True

    def filter(self, record: logging.LogRecord) -> bool:
        forms = self._forms
        message = record.getMessage()
        masked = message
        for form in sorted(forms, key=len, reverse=True):
            masked = masked.replace(form, MASK)
        if masked != message:
            record.msg, record.args = masked, None
        return True


REDACTOR = _Redactor()
