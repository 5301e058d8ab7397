"""Quality suite: how well difffuzz finds one fixture per root cause (see README.md)."""
