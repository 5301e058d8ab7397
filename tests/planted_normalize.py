"""Two in-process validators that write their 422 the way the two ports do.

``rust`` writes serde's externally tagged enum, ``go`` a struct with exported
fields. ``BEHAVIOUR["go"]`` switches what the Go side says inside the error:
``"same"`` (the same field and reason), ``"reason"`` (another reason),
``"digits"`` (another reason when the input holds a digit: a planted
difference inside the 422 for the engine to find and shrink to ``"0"``), or
``"ok"`` (it accepts the input). Tests set it with ``monkeypatch.setitem``.
"""

from __future__ import annotations

import json

BEHAVIOUR: dict[str, str] = {"go": "same"}


def rust(value: str) -> tuple[int, str]:
    return 422, json.dumps({"Schema": {"field": "to", "reason": f"not an email: {value}"}})


def go(value: str) -> tuple[int, str]:
    mode = BEHAVIOUR["go"]
    if mode == "ok":
        return 200, json.dumps({"valid": True}) + "\n"
    differs = mode == "reason" or (mode == "digits" and any(c in "0123456789" for c in value))
    reason = "invalid address" if differs else f"not an email: {value}"
    return 422, json.dumps({"Kind": "schema", "Field": "to", "Reason": reason}) + "\n"
