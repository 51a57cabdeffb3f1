"""Emulator of the "Arazzo Buy-now, Pay-later Loan API" of the official Arazzo examples.

The OpenAPI document is the shared example ``bnpl-openapi.yaml`` (read in place, never
copied); its server is ``/bnpl/v1``, so the API lives under ``emu.url + "/bnpl/v1"``
(:attr:`BnplEmulator.api_url`). Every operation of the document is implemented, with
in-memory state:

* ``POST /products`` (``findEligibleProducts``): filters the basket. A product is eligible
  unless its code is in ``ineligible_products``; ``productCodes`` lists the eligible codes and
  ``totalAmount`` sums their ``purchaseAmount`` (``netAmount`` when a product has none; the
  currency of the first product, ``default_currency`` when none says). Without ``customer``
  the customer is new and ``eligibilityCheckRequired`` is ``true``; with the URI of an
  enrolled customer it is ``false``, and when that customer may not borrow the answer is
  ``existingCustomerNotEligible: true`` with no product codes (the flag is omitted
  otherwise). An unknown customer URI is a ``404`` problem. Every submitted product is
  remembered by code, for the loan transaction to list.
* ``GET /terms-and-conditions`` (``getTermsAndConditions``): :data:`TERMS` (static).
* ``POST /customers`` (``createCustomer``): ``201`` with ``customerId`` and ``links.self``
  (the customer URI) for an eligible customer; ``200`` with a ``reasonCode`` otherwise:
  ``TERMS_NOT_ACCEPTED``, ``UNDERAGE`` (younger than 18 on ``today``).
* ``POST /loan-transactions`` (``createBnplTransaction``): the customer is ``newCustomer``
  or ``enrolledCustomer`` (a ``400`` problem when neither names a known customer); every
  product code must have been found eligible (``400`` otherwise) and ``totalAmount`` must
  be their total (``400`` otherwise). ``202`` with ``loanTransactionId`` and ``links.self``.
  A customer created by ``POST /customers`` has not yet authorised a loan: the loan is
  ``Pending`` and the answer carries a ``redirectAuthToken`` (a UUID) for ``GET /auth``.
  An enrolled customer's loan is ``Finalised`` at once and the token is omitted. (The
  document's two descriptions of the token contradict each other; this follows the
  ``getAuthorization`` operation, whose token is "elicited from loan initiation endpoint",
  and the Arazzo workflow, which authorises when a token is returned.)
* ``GET /auth`` (``getAuthorization``): ``302`` to :attr:`authorize_url` + the token as
  ``Location``; the End User's authorisation is emulated as granted at once, so the loan
  becomes ``Finalised`` and the token is spent. An unknown or spent token is a ``400``
  problem.
* ``GET /loan-transactions/{loanTransactionId}`` (``retrieveBnplLoanTransaction``): the
  loan: customer URI, the products (as submitted for the eligibility check), status, total
  and a four-instalment ``paymentSchedule`` (no interest; first payment 30 days after
  ``today``, then every 30 days; the last instalment takes the rounding). ``404`` problem
  when unknown.
* ``PATCH /loan-transactions/{loanTransactionId}/status``
  (``updateBnplLoanTransactionStatus``): ``204``. Allowed moves: ``Finalised`` ->
  ``Completed``, and to the current status again; anything else is a ``409`` problem.

Errors are the document's ``default`` answer: ProblemDetails in ``application/json``.

One correction of the document, applied to the emulator's copy only: the ``createCustomer``
request schema is unsatisfiable (``allOf`` of ``CustomerProperties``, which has
``additionalProperties: false``, and an object requiring ``termsAndConditionsAccepted``, so
no body passes both). Requests are validated against its evident intent instead: the four
``CustomerProperties`` plus the required boolean ``termsAndConditionsAccepted``, nothing
else (:data:`CREATE_CUSTOMER_SCHEMA_PATH` names the replaced schema).

State for assertions: ``customers`` (id -> :class:`Customer`), ``loans`` (id -> :class:`Loan`),
``products_seen`` (code -> the product object last submitted), ``tokens`` (unspent token ->
loan id), ``authorised`` (the loan ids authorised through ``GET /auth``).
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from environment import EXAMPLES

from .base import Emulator, Reply, Request, json_body

__all__ = [
    "BnplEmulator",
    "CREATE_CUSTOMER_SCHEMA_PATH",
    "Customer",
    "EXAMPLES_DIR",
    "Loan",
    "TERMS",
]

#: The official Arazzo examples (read-only, beside the repository; see ``environment``).
EXAMPLES_DIR = EXAMPLES

TERMS: tuple[str, ...] = (
    "Pay in four instalments, one every 30 days, without interest.",
    "A missed instalment is collected again after 7 days.",
    "The loan is issued when the order is fulfilled.",
)

#: Where the (unsatisfiable) createCustomer request schema sits in the document.
CREATE_CUSTOMER_SCHEMA_PATH = (
    "paths",
    "/customers",
    "post",
    "requestBody",
    "content",
    "application/json",
    "schema",
)

_PREFIX = "/bnpl/v1"
_LOAN = re.compile(rf"^{_PREFIX}/loan-transactions/(?P<id>[^/]+)$")
_LOAN_STATUS = re.compile(rf"^{_PREFIX}/loan-transactions/(?P<id>[^/]+)/status$")
_MOVES = {("Finalised", "Completed")}


@dataclass
class Customer:
    customer_id: str
    properties: dict[str, Any]  #: as created (empty for customers enrolled beforehand)
    eligible: bool = True  #: may take new loans
    new: bool = True  #: created through POST /customers (has not authorised a loan yet)


@dataclass
class Loan:
    loan_id: str
    customer_id: str
    products: list[dict[str, Any]]
    total: dict[str, Any]  #: CurrencyAndAmount
    status: str
    token: str | None
    schedule: list[dict[str, Any]] = field(default_factory=list)


def _problem(status: int, title: str, detail: str) -> Reply:
    slug = title.lower().replace(" ", "-")
    return Reply(
        status,
        {
            "type": f"https://bnpl.example.com/problems/{slug}",
            "status": str(status),
            "title": title,
            "detail": detail,
        },
    )


def _amount(product: Mapping[str, Any]) -> tuple[float, str | None]:
    purchase = product.get("purchaseAmount")
    if isinstance(purchase, Mapping):
        return float(purchase["amount"]), str(purchase["currency"])
    net = product.get("netAmount")
    if isinstance(net, (int, float)) and not isinstance(net, bool):
        return float(net), None
    if isinstance(net, Mapping) and isinstance(net.get("amount"), (int, float)):
        currency = net.get("currency")
        return float(net["amount"]), str(currency) if currency else None
    return 0.0, None


class BnplEmulator(Emulator):
    """``BnplEmulator(enrolled={"c-1": True}, ineligible_products=("GIFTCARD",), today=date(...))``.

    ``enrolled``: customers already on the platform, id -> whether they may borrow.
    ``ineligible_products``: product codes never eligible for a loan. ``today``: the date
    ages and payment dates are counted from. ``authorize_url``: where ``GET /auth`` sends
    the End User.
    """

    spec_path = EXAMPLES_DIR / "bnpl-openapi.yaml"

    def __init__(
        self,
        enrolled: Mapping[str, bool] | None = None,
        ineligible_products: Iterable[str] = ("GIFTCARD",),
        today: dt.date = dt.date(2026, 11, 22),
        default_currency: str = "EUR",
        authorize_url: str = "https://bnpl.example.com/authorize?token=",
    ) -> None:
        super().__init__()
        self.customers: dict[str, Customer] = {
            customer_id: Customer(customer_id, {}, eligible=eligible, new=False)
            for customer_id, eligible in (enrolled or {}).items()
        }
        self.ineligible_products = frozenset(ineligible_products)
        self.today = today
        self.default_currency = default_currency
        self.authorize_url = authorize_url
        self.loans: dict[str, Loan] = {}
        self.products_seen: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, str] = {}
        self.authorised: list[str] = []
        self._customer_ids = itertools.count(1)
        self._loan_ids = itertools.count(1)

    def _repoint_servers(self, spec: dict[str, Any]) -> None:
        """Also replace the unsatisfiable createCustomer request schema (on the emulator's copy)."""
        super()._repoint_servers(spec)
        closed = spec["components"]["schemas"]["CustomerProperties"]
        node: Any = spec
        for key in CREATE_CUSTOMER_SCHEMA_PATH[:-1]:
            node = node[key]
        node[CREATE_CUSTOMER_SCHEMA_PATH[-1]] = {
            "description": "Customer properties; terms and conditions reviewed and accepted",
            "type": "object",
            "required": [*closed["required"], "termsAndConditionsAccepted"],
            "properties": {
                **copy.deepcopy(closed["properties"]),
                "termsAndConditionsAccepted": {"type": "boolean"},
            },
            "additionalProperties": False,
        }

    # ------------------------------------------------------------------ addresses

    @property
    def api_url(self) -> str:
        """The document's server (``/bnpl/v1``) on this emulator."""
        return self.url + _PREFIX

    def customer_uri(self, customer_id: str) -> str:
        return f"{self.api_url}/customers/{customer_id}"

    def loan_url(self, loan_id: str) -> str:
        return f"{self.api_url}/loan-transactions/{loan_id}"

    def _customer_from_uri(self, uri: Any) -> Customer | None:
        prefix = self.api_url + "/customers/"
        if not isinstance(uri, str) or not uri.startswith(prefix):
            return None
        return self.customers.get(uri[len(prefix) :])

    # ------------------------------------------------------------------ dispatch

    def handle(self, request: Request) -> Reply:
        method, path = request.method, request.path
        if method == "POST" and path == f"{_PREFIX}/products":
            return self.find_eligible_products(json_body(request))
        if method == "GET" and path == f"{_PREFIX}/terms-and-conditions":
            return Reply(200, list(TERMS))
        if method == "POST" and path == f"{_PREFIX}/customers":
            return self.create_customer(json_body(request))
        if method == "POST" and path == f"{_PREFIX}/loan-transactions":
            return self.create_loan(json_body(request))
        if method == "GET" and path == f"{_PREFIX}/auth":
            return self.authorize((request.query.get("AuthorizationToken") or [""])[0])
        if method == "GET" and (match := _LOAN.match(path)):
            return self.retrieve_loan(match["id"])
        if method == "PATCH" and (match := _LOAN_STATUS.match(path)):
            return self.update_status(match["id"], json_body(request))
        raise NotImplementedError(f"{method} {path} is not emulated")

    # ------------------------------------------------------------------ operations

    def find_eligible_products(self, body: dict[str, Any]) -> Reply:
        products = [p for p in body.get("products", []) if isinstance(p, dict)]
        for product in products:
            self.products_seen[str(product["productCode"])] = copy.deepcopy(product)
        answer: dict[str, Any] = {}
        if "customer" in body:
            customer = self._customer_from_uri(body["customer"])
            if customer is None:
                return _problem(404, "Customer not found", f"no customer at {body['customer']}")
            if not customer.eligible:
                answer["existingCustomerNotEligible"] = True
                answer["productCodes"] = []
                answer["eligibilityCheckRequired"] = False
                return Reply(200, answer)
            answer["eligibilityCheckRequired"] = False
        else:
            answer["eligibilityCheckRequired"] = True
        eligible = [p for p in products if p["productCode"] not in self.ineligible_products]
        answer["productCodes"] = [str(p["productCode"]) for p in eligible]
        if eligible:
            total = self._total(eligible)
            if total is None:
                return _problem(
                    400, "Mixed currencies", "the products are priced in several currencies"
                )
            answer["totalAmount"] = total
        return Reply(200, answer)

    def _total(self, products: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
        amount = 0.0
        currencies: set[str] = set()
        for product in products:
            value, currency = _amount(product)
            amount += value
            if currency is not None:
                currencies.add(currency)
        if len(currencies) > 1:
            return None
        currency = currencies.pop() if currencies else self.default_currency
        return {"currency": currency, "amount": round(amount, 2)}

    def create_customer(self, body: dict[str, Any]) -> Reply:
        if body.get("termsAndConditionsAccepted") is not True:
            return Reply(200, {"reasonCode": "TERMS_NOT_ACCEPTED"})
        born = dt.datetime.fromisoformat(str(body["dateOfBirth"]).replace("Z", "+00:00")).date()
        today = self.today
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if age < 18:
            return Reply(200, {"reasonCode": "UNDERAGE"})
        customer_id = f"cust-{next(self._customer_ids):04d}"
        properties = {k: v for k, v in body.items() if k != "termsAndConditionsAccepted"}
        self.customers[customer_id] = Customer(customer_id, properties)
        return Reply(
            201, {"customerId": customer_id, "links": {"self": self.customer_uri(customer_id)}}
        )

    def create_loan(self, body: dict[str, Any]) -> Reply:
        customer = self._customer_from_uri(body.get("newCustomer")) or self._customer_from_uri(
            body.get("enrolledCustomer")
        )
        if customer is None:
            return _problem(
                400, "Unknown customer", "newCustomer or enrolledCustomer must name a customer"
            )
        if not customer.eligible:
            return _problem(400, "Customer not eligible", f"{customer.customer_id} may not borrow")
        codes = [str(code) for code in body["products"]]
        unknown = [
            code
            for code in codes
            if code not in self.products_seen or code in self.ineligible_products
        ]
        if unknown:
            return _problem(400, "Products not eligible", ", ".join(unknown))
        products = [copy.deepcopy(self.products_seen[code]) for code in codes]
        expected = self._total(products)
        requested = body["totalAmount"]
        if expected is None or (
            requested.get("currency") != expected["currency"]
            or abs(float(requested.get("amount", 0)) - expected["amount"]) > 0.005
        ):
            return _problem(400, "Wrong total", f"the products total {expected}")
        loan_id = f"loan-{next(self._loan_ids):04d}"
        token = str(uuid.uuid4()) if customer.new else None
        loan = Loan(
            loan_id,
            customer.customer_id,
            products,
            dict(expected),
            "Pending" if token else "Finalised",
            token,
            self._schedule(expected),
        )
        self.loans[loan_id] = loan
        answer: dict[str, Any] = {
            "loanTransactionId": loan_id,
            "links": {"self": self.loan_url(loan_id)},
        }
        if token is not None:
            self.tokens[token] = loan_id
            answer["redirectAuthToken"] = token
        return Reply(202, answer)

    def _schedule(self, total: Mapping[str, Any]) -> list[dict[str, Any]]:
        count = 4
        part = round(float(total["amount"]) / count, 2)
        schedule = []
        for index in range(count):
            last = index == count - 1
            amount = round(float(total["amount"]) - part * (count - 1), 2) if last else part
            schedule.append(
                {
                    "paymentDate": (self.today + dt.timedelta(days=30 * (index + 1))).isoformat(),
                    "amount": {"currency": total["currency"], "amount": amount},
                    "lastPayment": last,
                }
            )
        return schedule

    def authorize(self, token: str) -> Reply:
        loan_id = self.tokens.pop(token, None)
        if loan_id is None:
            return _problem(400, "Invalid token", "the authorization token is unknown or spent")
        loan = self.loans[loan_id]
        loan.status = "Finalised"
        self.customers[loan.customer_id].new = False
        self.authorised.append(loan_id)
        return Reply(302, headers={"Location": self.authorize_url + token})

    def retrieve_loan(self, loan_id: str) -> Reply:
        loan = self.loans.get(loan_id)
        if loan is None:
            return _problem(404, "Loan not found", f"no loan transaction {loan_id}")
        return Reply(
            200,
            {
                "customer": self.customer_uri(loan.customer_id),
                "products": copy.deepcopy(loan.products),
                "status": loan.status,
                "totalAmount": dict(loan.total),
                "paymentSchedule": copy.deepcopy(loan.schedule),
            },
        )

    def update_status(self, loan_id: str, body: dict[str, Any]) -> Reply:
        loan = self.loans.get(loan_id)
        if loan is None:
            return _problem(404, "Loan not found", f"no loan transaction {loan_id}")
        status = body["status"]
        if status != loan.status and (loan.status, status) not in _MOVES:
            return _problem(409, "Status conflict", f"{loan.status} cannot become {status}")
        loan.status = status
        return Reply(204)
