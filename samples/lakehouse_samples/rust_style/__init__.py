"""The sample runtime written the way the Rust gateway is: orjson, ``regex``, float64, chars.

HTTP surfaces (``server``): ``validator`` (serde errors, Unicode regex classes,
lengths in characters), ``embed`` (trim, NFC, full lower-casing, cut at 512
characters, unit vectors in f64, NaN written as null) and ``search`` (f64
cosine, stable id tie-break, exclusions before the top k). ``_http_wire`` holds
the serde_json-like body parsing and the externally tagged error enum. The CLI
helpers (``extract_json``, ``session_log``, ``materializer``) describe their
own habits.
"""
