"""Test support: real servers for the tests (PostgreSQL, Redis), found or started."""
