"""Fixtures shared by the test modules."""

from .redis_server import redis_prefix, redis_url  # noqa: F401 - a real Redis for the tests
