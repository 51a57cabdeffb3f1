"""Emulator of the kitchen-sink "Orders API" (``tests/golden/kitchen-sink/orders.openapi.yaml``).

A small tea shop: sessions, a catalogue, orders, XML invoices and a waitlist. Every request is validated
against the OpenAPI description by the base class (openapi-core), every answer too. The API lives under the
description's server path, so clients use :attr:`OrdersEmulator.base_url` (``url + "/v2"``).

Operations:

* ``GET /health`` (no security): ``{"status": "ok", "version": version}``.
* ``POST /sessions`` (``X-Api-Key``): ``201 {"sessionId": "sess-N", "expiresIn": 900}``; ``401`` for an
  unknown key. The first ``expired_sessions`` sessions opened are expired by the time they are used.
* Every other operation needs ``Authorization: Bearer <token>`` with a token of ``tokens`` (else ``401``).
* ``GET /catalog/items/{sku}?currency=``: the item priced in the currency, with its warehouses' stock;
  ``404`` for an unknown sku.
* ``POST /orders`` (``Idempotency-Key`` header, ``session`` cookie): while ``busy`` is positive, answers
  ``503`` with ``Retry-After: retry_after`` (and counts ``busy`` down); a missing, unknown or expired session
  answers ``401``; an item without stock ``409``; else ``201`` with the order (``pending``, or ``confirmed``
  when ``confirm_at_once``) and ``Location: /orders/<id>``. A repeated ``Idempotency-Key`` answers the order
  it created before.
* ``GET /orders/{orderId}``: the order; it stays ``pending`` for ``pending_polls`` reads, then takes
  ``final_status`` (``confirmed`` or ``cancelled``).
* ``GET /orders/{orderId}/invoice``: ``application/xml`` ``<invoice>`` with ``<status>invoice_status``
  (``paid`` or ``due``) and ``<total currency>``.
* ``POST /orders/{orderId}/gift-wrap``: ``{"fee": gift_wrap_fee}``, the message kept in ``gift_messages``.
* ``POST /waitlist``: ``201 {"position": N}``, N counting the emails waiting for that sku.

State for assertions: ``orders`` (id -> order), ``sessions`` (id -> client id), ``waitlist`` (sku -> emails),
``gift_messages`` (order id -> message) and the base class's ``requests``.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from .base import Emulator, Reply, Request, json_body

__all__ = ["OrdersEmulator", "KITCHEN_SINK_DIR", "CATALOG"]

#: The kitchen-sink documents (Arazzo and OpenAPI).
KITCHEN_SINK_DIR = Path(__file__).resolve().parents[1] / "golden" / "kitchen-sink"

#: sku -> (name, price in EUR, price in USD, {city: stock})
CATALOG: dict[str, tuple[str, float, float, dict[str, int]]] = {
    "TEA-1": ("Sencha", 4.5, 5.0, {"Kyoto": 12, "Lyon": 3}),
    "TEA-2": ("Assam", 3.0, 3.5, {"Kyoto": 0, "Lyon": 0}),
    "TEA-3": ("Darjeeling", 6.25, 7.0, {"Lyon": 1}),
}

_ITEM = re.compile(r"^/v2/catalog/items/(?P<sku>[^/]+)$")
_ORDER = re.compile(r"^/v2/orders/(?P<id>[^/]+)(?P<tail>/invoice|/gift-wrap)?$")


def _problem(status: int, title: str, detail: str | None = None) -> Reply:
    body: dict[str, Any] = {"title": title}
    if detail is not None:
        body["detail"] = detail
    return Reply(status, body)


class OrdersEmulator(Emulator):
    """``OrdersEmulator(api_keys=("ak-test",), tokens=("tok-test",))``; the attributes below steer it."""

    spec_path = KITCHEN_SINK_DIR / "orders.openapi.yaml"

    def __init__(
        self, api_keys: tuple[str, ...] = ("ak-test",), tokens: tuple[str, ...] = ("tok-test",)
    ) -> None:
        super().__init__()
        self.api_keys = set(api_keys)
        self.tokens = set(tokens)
        self.version = "2.3.0"
        self.expired_sessions = 0  #: how many of the first sessions opened are expired when used
        self.busy = 0  #: how many of the next order placements answer 503
        self.retry_after = "0"  #: the Retry-After header of a 503
        self.confirm_at_once = False  #: a new order is confirmed at once (else pending)
        self.pending_polls = 0  #: reads of an order that still show it pending
        self.final_status = "confirmed"  #: its status after those reads
        self.invoice_status = "paid"
        self.gift_wrap_fee = 2.5
        self.stock: dict[str, dict[str, int]] = {
            sku: dict(entry[3]) for sku, entry in CATALOG.items()
        }
        self.sessions: dict[str, str] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        self.waitlist: dict[str, list[str]] = {}
        self.gift_messages: dict[str, str] = {}
        self._expired: set[str] = set()
        self._reads: dict[str, int] = {}
        self._idempotency: dict[str, str] = {}
        self._session_ids = itertools.count(1)
        self._order_ids = itertools.count(1001)

    @property
    def base_url(self) -> str:
        """The API's base URL (the emulator's URL plus the description's server path)."""
        return self.url + "/v2"

    # ------------------------------------------------------------------ dispatch

    def handle(self, request: Request) -> Reply:
        path, method = request.path, request.method
        if path == "/v2/health" and method == "GET":
            return Reply(200, {"status": "ok", "version": self.version})
        if path == "/v2/sessions" and method == "POST":
            return self._create_session(request)
        if request.bearer_token not in self.tokens:
            return _problem(401, "unauthorized", "missing or unknown bearer token")
        if (match := _ITEM.match(path)) and method == "GET":
            return self._item(match["sku"], (request.query.get("currency") or ["EUR"])[0])
        if path == "/v2/orders" and method == "POST":
            return self._create_order(request)
        if path == "/v2/waitlist" and method == "POST":
            return self._join_waitlist(request)
        match = _ORDER.match(path)
        if match is None or match["id"] not in self.orders:
            return Reply(404)
        order_id, tail = match["id"], match["tail"]
        if tail is None and method == "GET":
            return self._read_order(order_id)
        if tail == "/invoice" and method == "GET":
            return self._invoice(order_id)
        if tail == "/gift-wrap" and method == "POST":
            self.gift_messages[order_id] = json_body(request)["message"]
            return Reply(200, {"fee": self.gift_wrap_fee})
        return Reply(404)

    # ------------------------------------------------------------------ operations

    def _create_session(self, request: Request) -> Reply:
        if request.header("X-Api-Key") not in self.api_keys:
            return Reply(401)
        session_id = f"sess-{next(self._session_ids)}"
        self.sessions[session_id] = json_body(request)["clientId"]
        if len(self.sessions) <= self.expired_sessions:
            self._expired.add(session_id)
        return Reply(201, {"sessionId": session_id, "expiresIn": 900})

    def _item(self, sku: str, currency: str) -> Reply:
        if sku not in CATALOG:
            return Reply(404)
        name, eur, usd, _ = CATALOG[sku]
        warehouses = [{"city": city, "stock": stock} for city, stock in self.stock[sku].items()]
        price = usd if currency == "USD" else eur
        return Reply(
            200,
            {
                "sku": sku,
                "name": name,
                "price": price,
                "currency": currency,
                "warehouses": warehouses,
            },
        )

    def _create_order(self, request: Request) -> Reply:
        if self.busy > 0:
            self.busy -= 1
            return Reply(503, headers={"Retry-After": self.retry_after})
        session = _cookie(request, "session")
        if session not in self.sessions or session in self._expired:
            return _problem(401, "session expired", f"session {session!r} is unknown or expired")
        key = request.header("Idempotency-Key") or ""
        if key in self._idempotency:
            order = self.orders[self._idempotency[key]]
            return Reply(201, order, {"Location": f"/orders/{order['id']}"})
        body = json_body(request)
        currency = body["currency"]
        total = 0.0
        for line in body["items"]:
            if (
                line["sku"] not in CATALOG
                or sum(self.stock[line["sku"]].values()) < line["quantity"]
            ):
                return _problem(409, "out of stock", f"{line['sku']} is out of stock")
            _, eur, usd, _ = CATALOG[line["sku"]]
            total += (usd if currency == "USD" else eur) * line["quantity"]
        order_id = f"ord-{next(self._order_ids)}"
        order = {
            "id": order_id,
            "status": "confirmed" if self.confirm_at_once else "pending",
            "total": round(total, 2),
            "currency": currency,
            "items": body["items"],
        }
        self.orders[order_id] = order
        self._idempotency[key] = order_id
        self._reads[order_id] = 0
        return Reply(201, order, {"Location": f"/orders/{order_id}"})

    def _read_order(self, order_id: str) -> Reply:
        order = self.orders[order_id]
        if order["status"] == "pending":
            self._reads[order_id] += 1
            if self._reads[order_id] > self.pending_polls:
                order["status"] = self.final_status
        return Reply(200, order)

    def _invoice(self, order_id: str) -> Reply:
        order = self.orders[order_id]
        xml = (
            f"<invoice id={quoteattr(order_id)}>"
            f"<status>{escape(self.invoice_status)}</status>"
            f"<total currency={quoteattr(order['currency'])}>{order['total']:.2f}</total>"
            "</invoice>"
        )
        return Reply(200, xml.encode(), {"Content-Type": "application/xml"})

    def _join_waitlist(self, request: Request) -> Reply:
        body = json_body(request)
        emails = self.waitlist.setdefault(body["sku"], [])
        if body["email"] not in emails:
            emails.append(body["email"])
        return Reply(201, {"position": emails.index(body["email"]) + 1})


def _cookie(request: Request, name: str) -> str | None:
    for part in (request.header("Cookie") or "").split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value
    return None
