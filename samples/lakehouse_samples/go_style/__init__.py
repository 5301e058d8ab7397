"""The sample runtime written the way the Go port is: stdlib json, ASCII re, float32, bytes.

HTTP surfaces (``server``): ``validator`` (encoding/json zero values and
case-insensitive keys, RE2's ASCII classes, lengths in bytes), ``embed``
(TrimSpace, rune-wise ToLower, cut at 512 bytes, raw float32 vectors) and
``search`` (float32 cosine, unstable sort, exclusions after the top k, ``k: 0``
means the default). ``_http_wire`` holds the encoding/json-like decoding and
the exported-fields error struct. The CLI helpers (``extract_json``,
``session_log``, ``materializer``) describe their own habits.
"""
