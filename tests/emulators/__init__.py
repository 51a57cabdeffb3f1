"""Loopback emulators of the seed systems' HTTP APIs, for tests.

Each emulator is a real HTTP server on 127.0.0.1 that validates every request
against the project's own OpenAPI description (see :mod:`tests.emulators.base`)::

    with HighlightEmulator() as emu:
        httpx.post(emu.url + "/", json={...})
        assert emu.sessions
"""

from .base import Emulator, RecordedRequest, Reply, Request, SpecViolationError
from .bugreplay import BugReplayEmulator
from .highlight import HighlightEmulator
from .invictus import InvictusEmulator
from .sirius import SiriusEmulator

__all__ = [
    "BugReplayEmulator",
    "Emulator",
    "HighlightEmulator",
    "InvictusEmulator",
    "RecordedRequest",
    "Reply",
    "Request",
    "SiriusEmulator",
    "SpecViolationError",
]

from .bnpl import BnplEmulator  # noqa: E402
from .petstore_coupons import PetstoreCouponsEmulator  # noqa: E402

__all__ += ["BnplEmulator", "PetstoreCouponsEmulator"]
