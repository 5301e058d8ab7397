"""Test support: real loopback servers and helpers shared by the test modules."""
