"""The kitchen-sink document: a golden record of its generated module, and every branch run end to end.

``tests/golden/kitchen-sink/kitchen-sink.arazzo.yaml`` uses what the seed documents never do (``dependsOn``,
a workflow of a second Arazzo document, workflow parameters, ``components`` through ``reference``, templates
and replacements, every criterion type, ``end``/``goto``/``retry`` at step and workflow level). Its generated
package is committed as ``tests/golden/kitchen_sink_expected/`` (without ``_runtime/``, which is a verbatim copy
of ``generator/runtime/`` already checked by ``generated/``) and compared byte for byte;
``ARAZZO_UPDATE_GOLDEN=1`` rewrites it instead. The end-to-end tests use only the public API (functions,
result attributes, ``trace``, errors) of a freshly generated package, against the Orders emulator, which
validates every request and answer against ``orders.openapi.yaml``.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from email.utils import formatdate
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from emulators.kitchen_sink import KITCHEN_SINK_DIR, OrdersEmulator
from inline import arazzo, openapi
from loopback import Answer, Loopback

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "kitchen_sink_expected"
PACKAGE = GOLDEN.name
ENTRY = f"{KITCHEN_SINK_DIR.name}/kitchen-sink.arazzo.yaml"
API_KEY = "ak-7f3e9c2b51d84a06"
TOKEN = "tok-0b6d2e8f4a9c1357"
ADA = {"name": "Ada", "email": "ada@example.com"}
ADA_WITH_PHONE = {**ADA, "phone": "+44 20 7946 0000"}


def _generate(workdir: Path) -> Path:
    """Generate the kitchen sink as ``workdir/kitchen_sink_expected`` from a copy of its documents placed as in
    ``tests/golden/`` (so the header comments name the same relative path), through the command line.
    """
    shutil.copytree(KITCHEN_SINK_DIR, workdir / KITCHEN_SINK_DIR.name)
    done = subprocess.run(
        [sys.executable, "-m", "generator", "generate", ENTRY, "-o", PACKAGE],
        cwd=workdir, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return workdir / PACKAGE


def _files(folder: Path, *, runtime: bool) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and (runtime or path.relative_to(folder).parts[0] != "_runtime")
    }


@pytest.fixture(scope="module")
def package_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("kitchen"))


@pytest.fixture(scope="module")
def ks(package_dir: Path) -> Iterator[ModuleType]:
    """The generated ``kitchen_sink`` module (its package imported from the temporary folder)."""
    sys.path.insert(0, str(package_dir.parent))
    try:
        module = importlib.import_module(f"{PACKAGE}.kitchen_sink")
    finally:
        sys.path.remove(str(package_dir.parent))
    yield module
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def pkg(ks: ModuleType) -> ModuleType:
    return sys.modules[PACKAGE]


@pytest.fixture
def shop() -> Iterator[OrdersEmulator]:
    emu = OrdersEmulator(api_keys=(API_KEY,), tokens=(TOKEN,))
    with emu:
        yield emu


# ---------------------------------------------------------------------- golden record


def test_generated_package_matches_the_golden_record(package_dir: Path) -> None:
    fresh = _files(package_dir, runtime=False)
    if os.environ.get("ARAZZO_UPDATE_GOLDEN") == "1":
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, data in fresh.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(data)
    golden = _files(GOLDEN, runtime=False) if GOLDEN.is_dir() else {}
    missing, extra = sorted(set(fresh) - set(golden)), sorted(set(golden) - set(fresh))
    changed = sorted(name for name in set(fresh) & set(golden) if fresh[name] != golden[name])
    assert (missing, extra, changed) == ([], [], []), (
        f"the kitchen-sink output drifted from {GOLDEN.relative_to(ROOT)} (missing {missing}, extra {extra}, "
        f"changed {changed}); review the change and rerun with ARAZZO_UPDATE_GOLDEN=1 to accept it"
    )
    assert set(fresh) == {"__init__.py", "kitchen_sink.py", "py.typed"}


def test_golden_record_passes_mypy_strict(tmp_path: Path, package_dir: Path) -> None:
    """The committed module with the runtime it is generated with, as an application would import it."""
    target = tmp_path / PACKAGE
    shutil.copytree(GOLDEN, target)
    shutil.copytree(package_dir / "_runtime", target / "_runtime")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", PACKAGE],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


# ---------------------------------------------------------------------- end to end

Runner = Callable[..., Any]


@pytest.fixture(params=["sync", "async"])
def run(
    request: pytest.FixtureRequest, ks: ModuleType, pkg: ModuleType, shop: OrdersEmulator
) -> Runner:
    """run("place-order", **inputs): the workflow through its sync function and Client, or its async twin and
    AsyncClient, with the shop's credentials (``credentials=`` to override them)."""

    def _run(workflow: str, credentials: dict[str, str] | None = None, **inputs: Any) -> Any:
        name = workflow.replace("-", "_")
        options: dict[str, Any] = {
            "base_url": shop.base_url,
            "credentials": (
                {"apiKey": API_KEY, "bearerAuth": TOKEN} if credentials is None else credentials
            ),
        }
        if request.param == "sync":
            with pkg.Client(**options) as client:
                return getattr(ks, name)(client=client, **inputs)

        async def main() -> Any:
            async with pkg.AsyncClient(**options) as client:
                return await getattr(ks, name + "_async")(client=client, **inputs)

        return asyncio.run(main())

    return _run


def _steps(trace: Any) -> list[tuple[str, str, int, int | None]]:
    return [(r.workflow_id, r.step_id, r.attempt, r.status_code) for r in trace]


HEALTH = ("check-service", "ping", 1, 200)
SESSION = ("open-session", "create-session", 1, 201)
LOOKUP = ("place-order", "lookup-item", 1, 200)


def test_happy_path_with_polling_and_gift_wrap(run: Runner, shop: OrdersEmulator) -> None:
    shop.pending_polls = 1
    result = run(
        "place-order", client_id="shop-1", customer=ADA_WITH_PHONE, items=[{"sku": "TEA-1", "quantity": 2}],
        currency="USD", shipping="express", packaging={"giftWrap": True}, note="ring twice",
    )  # fmt: skip
    assert result.order_id == "ord-1001" and result.location == "/orders/ord-1001"
    assert result.created_status == 201  # $statusCode
    assert (result.item_name, result.status, result.total) == ("Sencha", "confirmed", 10.0)
    assert result.invoice == (
        '<invoice id="ord-1001"><status>paid</status><total currency="USD">10.00</total></invoice>'
    )
    assert result.gift_wrap_fee == 2.5 and result.waitlist_position is None
    # $workflows.check-service.outputs (the dependsOn workflow); $sourceDescriptions.ordersApi.url
    assert result.api_version == "2.3.0" and result.api_description == "orders.openapi.yaml"
    assert result.default_currency == "EUR"  # $components.parameters.currency#/value
    assert _steps(result.trace) == [
        HEALTH, SESSION, LOOKUP,
        ("place-order", "create-order", 1, 201),
        ("place-order", "confirm-order", 1, 200),
        ("place-order", "confirm-order", 2, 200),
        ("place-order", "fetch-invoice", 1, 200),
        ("place-order", "add-gift-wrap", 1, 200),
    ]  # fmt: skip
    assert all(r.url.startswith(shop.base_url) and r.elapsed >= 0 for r in result.trace)
    # the currency component parameter, its value overridden by the step
    assert result.trace[2].url == shop.base_url + "/catalog/items/TEA-1?currency=USD"
    [order] = shop.requests_to("/v2/orders")
    assert order.headers["idempotency-key"] == "order-shop-1-TEA-1"  # a template in a header value
    assert order.headers["cookie"] == "session=sess-1"
    assert order.headers["x-request-id"] == "kitchen-sink"  # the workflow's component parameter
    assert order.headers["authorization"] == f"Bearer {TOKEN}"
    assert order.body == {
        "customer": ADA_WITH_PHONE,  # an object input (its optional member included)
        "items": [{"sku": "TEA-1", "quantity": 2}],
        "currency": "USD",  # replacement /currency
        "shipping": {"method": "express", "giftWrap": True},  # `recycled` absent: left out
        "note": "For Ada: ring twice",  # templates in a payload string
        "channel": {"name": "kitchen-sink", "apiVersion": "2.3.0"},  # replacement from $workflows
    }
    [session] = shop.requests_to("/v2/sessions")
    assert session.headers["x-api-key"] == API_KEY and session.body == {"clientId": "shop-1"}
    assert shop.gift_messages == {"ord-1001": "A gift for Ada"}
    assert all(
        r.headers.get("x-request-id") == "kitchen-sink"
        for r in shop.requests
        if "/orders" in r.path
    )


def test_defaults_and_the_end_action_without_gift_wrap(run: Runner, shop: OrdersEmulator) -> None:
    result = run("place-order", client_id="shop-1", customer=ADA)
    assert (result.status, result.total, result.gift_wrap_fee) == ("confirmed", 4.5, None)
    assert result.invoice is not None and "<status>paid</status>" in result.invoice
    assert [r.step_id for r in result.trace][-2:] == [
        "confirm-order",
        "fetch-invoice",
    ]  # `end` taken
    [order] = shop.requests_to("/v2/orders")
    assert (
        order.body["items"] == [{"sku": "TEA-1", "quantity": 1}] and order.body["currency"] == "EUR"
    )
    assert order.body["shipping"] == {"method": "standard", "giftWrap": False, "recycled": True}
    assert order.body["note"] == "For Ada: no note"
    assert shop.requests_to("/v2/orders/ord-1001/gift-wrap") == []


def test_an_unknown_item_ends_the_workflow_through_a_failure_action(
    run: Runner, shop: OrdersEmulator
) -> None:
    result = run(
        "place-order", client_id="shop-1", customer=ADA, items=[{"sku": "TEA-9", "quantity": 1}]
    )
    assert _steps(result.trace) == [HEALTH, SESSION, ("place-order", "lookup-item", 1, 404)]
    assert (result.order_id, result.item_name, result.waitlist_position) == (None, None, None)
    assert result.api_version == "2.3.0" and shop.requests_to("/v2/orders") == []


def test_goto_a_step_on_success_skips_the_polling(run: Runner, shop: OrdersEmulator) -> None:
    shop.confirm_at_once = True
    result = run("place-order", client_id="shop-1", customer=ADA)
    assert [r.step_id for r in result.trace] == [
        "ping", "create-session", "lookup-item", "create-order", "fetch-invoice"
    ]  # fmt: skip
    assert result.order_id == "ord-1001" and result.invoice is not None
    assert (result.status, result.total) == (None, None)  # confirm-order never ran


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_retry_waits_for_retry_after_from_the_response(
    run: Runner, shop: OrdersEmulator, form: str
) -> None:
    started = time.monotonic()
    shop.busy = 1
    # the header's 1 s (or 1-2 s until the date, which has whole seconds), not the action's retryAfter 0.5 s
    shop.retry_after = "1" if form == "seconds" else formatdate(time.time() + 2, usegmt=True)
    result = run("place-order", client_id="shop-1", customer=ADA)
    assert time.monotonic() - started >= 1.0
    creates = [r for r in result.trace if r.step_id == "create-order"]
    assert [(r.attempt, r.status_code) for r in creates] == [(1, 503), (2, 201)]
    assert result.order_id == "ord-1001" and len(shop.requests_to("/v2/orders")) == 2


def test_retry_limit_exhausted_raises_step_failed(
    run: Runner, pkg: ModuleType, shop: OrdersEmulator
) -> None:
    shop.busy = 5
    with pytest.raises(pkg.StepFailedError) as caught:
        run("place-order", client_id="shop-1", customer=ADA)
    error = caught.value
    assert (error.workflow_id, error.step_id, error.status_code) == (
        "place-order",
        "create-order",
        503,
    )
    assert error.attempts == 3  # 1 + retryLimit 2 of the workflow's component failure action
    assert [(r.step_id, r.attempt) for r in error.trace][-3:] == [
        ("create-order", 1), ("create-order", 2), ("create-order", 3)
    ]  # fmt: skip
    assert "criteria" in error.reason and shop.busy == 2


def test_expired_session_goes_back_to_the_login_step(run: Runner, shop: OrdersEmulator) -> None:
    shop.expired_sessions = 1
    result = run("place-order", client_id="shop-1", customer=ADA)
    assert _steps(result.trace) == [
        HEALTH, SESSION, LOOKUP,
        ("place-order", "create-order", 1, 401),
        SESSION, LOOKUP,  # goto login: the sub-workflow runs again, then the steps after it
        ("place-order", "create-order", 1, 201),
        ("place-order", "confirm-order", 1, 200),
        ("place-order", "fetch-invoice", 1, 200),
    ]  # fmt: skip
    assert [r.headers["cookie"] for r in shop.requests_to("/v2/orders")] == [
        "session=sess-1",
        "session=sess-2",
    ]
    assert result.order_id == "ord-1001"


def test_out_of_stock_hands_over_to_the_waitlist_workflow(
    run: Runner, shop: OrdersEmulator
) -> None:
    result = run(
        "place-order", client_id="shop-1", customer=ADA, items=[{"sku": "TEA-2", "quantity": 1}]
    )
    assert _steps(result.trace) == [HEALTH, SESSION, LOOKUP, ("join-waitlist", "join", 1, 201)]
    assert result.waitlist_position == 1  # $workflows.join-waitlist.outputs.position
    assert (result.order_id, result.item_name, result.status) == (None, None, None)
    assert result.api_version == "2.3.0"
    assert shop.waitlist == {
        "TEA-2": ["ada@example.com"]
    }  # inputs matched by name (customer, items)
    assert shop.requests_to("/v2/orders") == []


def test_a_cancelled_order_ends_through_the_workflow_success_action(
    run: Runner, shop: OrdersEmulator
) -> None:
    shop.pending_polls, shop.final_status = 2, "cancelled"
    result = run("place-order", client_id="shop-1", customer=ADA)
    assert (result.status, result.invoice) == ("cancelled", None)
    assert [(r.step_id, r.attempt) for r in result.trace][-3:] == [
        ("confirm-order", 1), ("confirm-order", 2), ("confirm-order", 3)
    ]  # fmt: skip
    assert shop.requests_to("/v2/orders/ord-1001/invoice", "GET") == []


def test_an_order_that_stays_pending_fails_after_its_retries(
    run: Runner, pkg: ModuleType, shop: OrdersEmulator
) -> None:
    shop.pending_polls = 100
    with pytest.raises(pkg.StepFailedError) as caught:
        run("place-order", client_id="shop-1", customer=ADA)
    error = caught.value
    assert (error.step_id, error.status_code, error.attempts) == (
        "confirm-order",
        200,
        4,
    )  # retryLimit 3
    assert error.body["status"] == "pending" and error.body["id"] == "ord-1001"
    assert [r.attempt for r in error.trace if r.step_id == "confirm-order"] == [1, 2, 3, 4]


def test_an_unpaid_invoice_fails_the_xpath_criterion(
    run: Runner, pkg: ModuleType, shop: OrdersEmulator
) -> None:
    shop.invoice_status = "due"
    with pytest.raises(pkg.StepFailedError) as caught:
        run("place-order", client_id="shop-1", customer=ADA, packaging={"giftWrap": True})
    error = caught.value
    assert (error.step_id, error.status_code, error.attempts) == ("fetch-invoice", 200, 1)
    assert isinstance(error.body, str) and "<status>due</status>" in error.body
    assert shop.requests_to("/v2/orders/ord-1001/gift-wrap") == []


def test_a_conflict_without_a_matching_action_raises(
    run: Runner, pkg: ModuleType, shop: OrdersEmulator
) -> None:
    with pytest.raises(pkg.StepFailedError) as caught:
        run(
            "place-order", client_id="shop-1", customer=ADA, items=[{"sku": "TEA-3", "quantity": 5}]
        )
    error = caught.value
    assert (error.workflow_id, error.step_id, error.status_code, error.attempts) == (
        "place-order", "create-order", 409, 1
    )  # fmt: skip
    assert error.body == {"title": "out of stock", "detail": "TEA-3 is out of stock"}
    assert _steps(error.trace)[-1] == ("place-order", "create-order", 1, 409)


def test_a_failing_sub_workflow_step_raises_its_own_error(
    run: Runner, pkg: ModuleType, shop: OrdersEmulator
) -> None:
    with pytest.raises(pkg.StepFailedError) as caught:
        run(
            "place-order",
            credentials={"apiKey": "wrong-key", "bearerAuth": TOKEN},
            client_id="x",
            customer=ADA,
        )
    error = caught.value
    assert (error.workflow_id, error.step_id, error.status_code) == (
        "open-session",
        "create-session",
        401,
    )
    assert _steps(error.trace) == [HEALTH, ("open-session", "create-session", 1, 401)]
    assert "wrong-key" not in repr(error) and "wrong-key" not in str(error)


@pytest.mark.parametrize(
    ("inputs", "names"),
    [
        ({"currency": "GBP"}, ["currency"]),
        ({"items": [{"sku": "TEA-1", "quantity": 0}]}, ["quantity"]),
        ({"customer": {"name": "Ada"}}, ["email"]),
        ({"items": []}, ["items"]),
        ({"packaging": {"recycled": False}}, ["giftWrap"]),
    ],
)
def test_inputs_are_checked_before_anything_is_sent(
    run: Runner, pkg: ModuleType, shop: OrdersEmulator, inputs: dict[str, Any], names: list[str]
) -> None:
    arguments: dict[str, Any] = {"client_id": "shop-1", "customer": ADA, **inputs}
    with pytest.raises(pkg.InputError) as caught:
        run("place-order", **arguments)
    text = " ".join(caught.value.errors)
    assert all(name in text for name in names), text
    assert shop.requests == []


def test_the_other_workflows_run_alone(run: Runner, shop: OrdersEmulator) -> None:
    assert run("check-service").api_version == "2.3.0"
    joined = run("join-waitlist", customer={"name": "Bo", "email": "bo@example.com"})
    assert joined.position == 1 and shop.waitlist == {"TEA-1": ["bo@example.com"]}
    assert _steps(joined.trace) == [("join-waitlist", "join", 1, 201)]


def test_secrets_stay_out_of_traces_and_errors(
    run: Runner, pkg: ModuleType, shop: OrdersEmulator
) -> None:
    shop.invoice_status = "due"
    with pytest.raises(pkg.StepFailedError) as caught:
        run("place-order", client_id="shop-1", customer=ADA)
    text = repr(caught.value) + str(caught.value) + repr(caught.value.trace)
    assert API_KEY not in text and TOKEN not in text


def test_workflow_header_parameters_are_not_inputs_of_a_called_workflow(generate) -> None:  # type: ignore[no-untyped-def]
    """A workflow parameter with an `in` goes to the operations of the workflow's own steps; a step that runs
    another workflow passes only its parameters, which are that workflow's inputs (Arazzo 1.0.1, Parameter
    Object `in`). The kitchen sink's `place-order` parameter `X-Request-Id` and its `login` step hit this.
    """
    api = openapi(
        {
            "/ping": {
                "get": {
                    "operationId": "ping",
                    "parameters": [
                        {"name": "X-Trace", "in": "header", "schema": {"type": "string"}}
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        }
    )
    child = {
        "workflowId": "child",
        "inputs": {
            "type": "object",
            "properties": {"who": {"type": "string"}},
            "additionalProperties": False,
        },
        "steps": [{"stepId": "c", "operationId": "ping"}],
    }
    parent = {
        "workflowId": "parent",
        "parameters": [{"name": "X-Trace", "in": "header", "value": "t-1"}],
        "steps": [
            {
                "stepId": "call",
                "workflowId": "child",
                "parameters": [{"name": "who", "value": "me"}],
            },
            {"stepId": "own", "operationId": "ping"},
        ],
    }
    gen = generate({"flows.arazzo.yaml": arazzo([parent, child]), "api.openapi.yaml": api})
    with Loopback(lambda seen: Answer(200, {})) as server:
        result = gen.parent(client=gen.rt.Client(base_url=server.url))
    assert [(r.workflow_id, r.step_id) for r in result.trace] == [("child", "c"), ("parent", "own")]
    assert [seen.headers.get("x-trace") for seen in server.seen] == [None, "t-1"]


def test_the_command_line_runs_the_kitchen_sink(shop: OrdersEmulator) -> None:
    def cli(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "generator", "run", str(KITCHEN_SINK_DIR / "kitchen-sink.arazzo.yaml"),
             "place-order", "--input", "clientId=shop-1", "--input", 'customer={"name": "Ada", "email": "a@x"}',
             "--base-url", shop.base_url, "--credential", f"apiKey={API_KEY}",
             "--credential", f"bearerAuth={TOKEN}", *extra],
            cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    shop.busy = 1
    done = cli("--input", "currency=USD")
    assert done.returncode == 0, done.stderr
    outputs = json.loads(done.stdout)
    assert (
        outputs["orderId"] == "ord-1001"
        and outputs["total"] == 5.0
        and outputs["giftWrapFee"] is None
    )
    assert outputs["createdStatus"] == 201 and outputs["defaultCurrency"] == "EUR"
    shop.invoice_status = "due"
    failed = cli()
    assert failed.returncode == 1 and failed.stdout == ""
    assert (
        "fetch-invoice" in failed.stderr
        and TOKEN not in failed.stderr
        and API_KEY not in failed.stderr
    )
