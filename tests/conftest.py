"""Shared fixtures: each test gets its own store and app; nothing is shared between tests."""
