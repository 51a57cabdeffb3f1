"""The Arazzo 1.1 features the generator does not honour yet: each use is a located ``unsupported`` error
at generation time (never ignored), naming the feature."""

from __future__ import annotations

from typing import Any

from ..diagnostics import Diagnostics
from ..loading.positioned import JsonPath, Positioned
from ..loading.versions import SELF, STEP_TIMEOUT, V11, Feature, arazzo_version, features_11

RULE = "unsupported"
# The 1.1 features generation honours (by the name features_11 gives them): step timeouts, and `$self`
# (read onto the Document: the base URI of relative source urls and the value of the $self expression).
IMPLEMENTED = frozenset({STEP_TIMEOUT, SELF})


def _xpath_defaults(data: Any) -> list[Feature]:
    """Criteria of type xpath without a version: XPath 3.1 in Arazzo 1.1."""
    found: list[Feature] = []

    def walk(value: Any, at: JsonPath) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("successCriteria", "criteria") and isinstance(item, list):
                    for i, criterion in enumerate(item):
                        kind = criterion.get("type") if isinstance(criterion, dict) else None
                        if kind == "xpath":
                            what = "xpath criteria without a version (XPath 3.1 in Arazzo 1.1)"
                            found.append(Feature(at + (key, i, "type"), what))
                elif key != "payload":
                    walk(item, at + (key,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, at + (i,))

    walk(data, ())
    return found


def check_unsupported(doc: Positioned, diagnostics: Diagnostics) -> bool:
    """Report every 1.1 feature of a 1.1 document that generation cannot honour yet; True when none."""
    if arazzo_version(doc.data) != V11:
        return True
    features = [f for f in features_11(doc.data) if f.what not in IMPLEMENTED]
    features += _xpath_defaults(doc.data)
    for feature in features:
        where = doc.key_loc(feature.path) if feature.is_key else doc.loc(feature.path)
        message = f"{feature.what}: not supported yet by arazzo-codegen (Arazzo 1.1)"
        diagnostics.error(where, message, RULE)
    return not features
