"""JSON values for property tests: NaN, infinities, big integers, unicode keys."""

from __future__ import annotations

from hypothesis import strategies as st

keys = st.text(max_size=4)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=6)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=15,
)
