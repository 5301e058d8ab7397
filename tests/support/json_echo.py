"""A pair of small JSON services for CLI tests: a faithful echo and one that differs.

``echo_json`` sends back the JSON body it got (400 for a body that is not JSON);
``echo_json_dropping_short_keys`` does the same but drops one-character keys
from an object, a difference any object strategy meets within a few examples.
"""

from __future__ import annotations

import json
from typing import Any

from tests.support.loopback import RecordedRequest, Reply

__all__ = ["echo_json", "echo_json_dropping_short_keys", "json_reply"]


def json_reply(status: int, body: Any) -> Reply:
    return Reply(
        status=status, body=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )


def echo_json(request: RecordedRequest) -> Reply:
    """Parses the body and sends it back: 400 on a body that is not JSON."""
    try:
        return json_reply(200, json.loads(request.body))
    except (ValueError, RecursionError):  # the wire layer sends deep and broken JSON
        return json_reply(400, {"error": "not JSON"})


def echo_json_dropping_short_keys(request: RecordedRequest) -> Reply:
    """The same, except that it drops one-character keys (the planted difference)."""
    reply = echo_json(request)
    value = json.loads(reply.body)
    if reply.status == 200 and isinstance(value, dict):
        value = {k: v for k, v in value.items() if len(k) != 1}
    return json_reply(reply.status, value)
