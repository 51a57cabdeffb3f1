"""Emulator of the "Petstore - Apply Coupons" API of the official Arazzo examples.

The OpenAPI document is the shared example ``pet-coupons.openapi.yaml`` (read in place,
never copied). Implemented operations, JSON only:

* ``GET /pet/findByTags`` (``findPetsByTags``): the pets carrying any of the ``tags``
  (repeated ``tags=`` values, each may also hold comma separated tags, as the document's
  description allows); without ``tags`` nothing is filtered and every pet is listed. Query
  parameters the document does not declare are ignored.
* ``GET /pet/findByStatus`` (``findPetsByStatus``): the pets with ``status`` (default
  ``available``), paged by ``page`` (first page 1) and ``pageSize`` (default 10);
  ``400`` for a page below 1 or a page size below 1.
* ``GET /pet/{petId}`` (``getPetById``): the pet, ``404`` when unknown.
* ``GET /pet/{petId}/coupons`` (``getPetCoupons``): the pet's coupon, ``404`` when the pet
  is unknown or has no coupon.
* ``POST /store/order`` (``placeOrder``): places an order (status ``placed``, not complete)
  and answers it with a new id. ``400`` ("Invalid input") when ``petId`` is missing or
  unknown, the pet is not available, or ``couponCode`` is not the pet's coupon. The
  ordered pet becomes ``pending``.
* ``GET /store/order/{orderId}`` (``getOrderById``): the order, ``404`` when unknown.

Documented answers without a body (``400``, ``404``) are sent without one.

State for assertions: ``pets`` (id -> Pet object), ``coupons`` (pet id -> Coupon object),
``orders`` (list of Order objects, in order), ``api_keys_seen`` (``api_key`` header values
received).
"""

from __future__ import annotations

import copy
import itertools
import re
from typing import Any, Iterable, Mapping

from environment import EXAMPLES

from .base import Emulator, Reply, Request, json_body

__all__ = ["PetstoreCouponsEmulator", "DEFAULT_PETS", "DEFAULT_COUPONS", "EXAMPLES_DIR"]

#: The official Arazzo examples (read-only, beside the repository; see ``environment``).
EXAMPLES_DIR = EXAMPLES

DEFAULT_PETS: tuple[dict[str, Any], ...] = (
    {
        "id": 10,
        "name": "Pongo",
        "category": {"id": 1, "name": "Dogs"},
        "photoUrls": ["https://pets.example.com/photos/pongo.jpg"],
        "price": 450.0,
        "tags": [{"id": 1, "name": "puppy"}, {"id": 2, "name": "dalmatian"}],
        "status": "available",
    },
    {
        "id": 11,
        "name": "Tom",
        "category": {"id": 2, "name": "Cats"},
        "photoUrls": ["https://pets.example.com/photos/tom.jpg"],
        "price": 120.5,
        "tags": [{"id": 3, "name": "kitten"}],
        "status": "available",
    },
    {
        "id": 12,
        "name": "Perdita",
        "category": {"id": 1, "name": "Dogs"},
        "photoUrls": [],
        "price": 500.0,
        "tags": [{"id": 2, "name": "dalmatian"}],
        "status": "sold",
    },
)

DEFAULT_COUPONS: Mapping[int, Mapping[str, Any]] = {
    10: {"id": 1, "description": "Summer Sale - 10% off!", "couponCode": "SUMMERSALE"},
    11: {"id": 2, "description": "Kitten week - 5% off", "couponCode": "KITTEN5"},
}

_PET = re.compile(r"^/pet/(?P<id>[^/]+)$")
_COUPONS = re.compile(r"^/pet/(?P<id>[^/]+)/coupons$")
_ORDER = re.compile(r"^/store/order/(?P<id>[^/]+)$")


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


class PetstoreCouponsEmulator(Emulator):
    """``PetstoreCouponsEmulator(pets=DEFAULT_PETS, coupons=DEFAULT_COUPONS, first_order_id=1)``."""

    spec_path = EXAMPLES_DIR / "pet-coupons.openapi.yaml"

    def __init__(
        self,
        pets: Iterable[Mapping[str, Any]] = DEFAULT_PETS,
        coupons: Mapping[int, Mapping[str, Any]] = DEFAULT_COUPONS,
        first_order_id: int = 1,
    ) -> None:
        super().__init__()
        self.pets: dict[int, dict[str, Any]] = {
            int(pet["id"]): copy.deepcopy(dict(pet)) for pet in pets
        }
        self.coupons: dict[int, dict[str, Any]] = {
            int(pet_id): dict(coupon) for pet_id, coupon in coupons.items()
        }
        self.orders: list[dict[str, Any]] = []
        self.api_keys_seen: list[str] = []
        self._order_ids = itertools.count(first_order_id)

    # ------------------------------------------------------------------ dispatch

    def handle(self, request: Request) -> Reply:
        api_key = request.header("api_key")
        if api_key is not None:
            self.api_keys_seen.append(api_key)
        method, path = request.method, request.path
        if method == "GET" and path == "/pet/findByTags":
            return self.find_by_tags(request)
        if method == "GET" and path == "/pet/findByStatus":
            return self.find_by_status(request)
        if method == "POST" and path == "/store/order":
            return self.place_order(request)
        if method == "GET" and (match := _COUPONS.match(path)):
            return self.pet_coupon(_int(match["id"]))
        if method == "GET" and (match := _PET.match(path)):
            pet = self.pets.get(_int(match["id"]) or -1)
            return Reply(200, copy.deepcopy(pet)) if pet is not None else Reply(404)
        if method == "GET" and (match := _ORDER.match(path)):
            order_id = _int(match["id"])
            for order in self.orders:
                if order["id"] == order_id:
                    return Reply(200, dict(order))
            return Reply(404)
        raise NotImplementedError(f"{method} {path} is not emulated")

    # ------------------------------------------------------------------ operations

    def find_by_tags(self, request: Request) -> Reply:
        wanted = {
            tag.strip()
            for value in request.query.get("tags", [])
            for tag in value.split(",")
            if tag.strip()
        }
        found = [
            copy.deepcopy(pet)
            for pet in self.pets.values()
            if not wanted or wanted & {tag.get("name") for tag in pet.get("tags", [])}
        ]
        return Reply(200, found)

    def find_by_status(self, request: Request) -> Reply:
        status = (request.query.get("status") or ["available"])[0]
        page = _int((request.query.get("page") or [""])[0])
        size = _int((request.query.get("pageSize") or ["10"])[0])
        if page is None or size is None or page < 1 or size < 1:
            return Reply(400)
        matching = [pet for pet in self.pets.values() if pet.get("status") == status]
        start = (page - 1) * size
        return Reply(200, copy.deepcopy(matching[start : start + size]))

    def pet_coupon(self, pet_id: int | None) -> Reply:
        if pet_id is None or pet_id not in self.pets or pet_id not in self.coupons:
            return Reply(404)
        return Reply(200, dict(self.coupons[pet_id]))

    def place_order(self, request: Request) -> Reply:
        body = json_body(request)
        pet_id = body.get("petId")
        pet = self.pets.get(pet_id) if isinstance(pet_id, int) else None
        if pet is None or pet.get("status") != "available":
            return Reply(400)
        coupon_code = body.get("couponCode")
        if coupon_code is not None:
            assert isinstance(pet_id, int)  # a pet was found, so the id is an int
            coupon = self.coupons.get(pet_id)
            if coupon is None or coupon.get("couponCode") != coupon_code:
                return Reply(400)
        order: dict[str, Any] = {"id": next(self._order_ids), "petId": pet_id}
        if "quantity" in body:
            order["quantity"] = body["quantity"]
        order["status"] = "placed"
        order["complete"] = False
        if coupon_code is not None:
            order["couponCode"] = coupon_code
        self.orders.append(order)
        pet["status"] = "pending"
        return Reply(200, dict(order))
