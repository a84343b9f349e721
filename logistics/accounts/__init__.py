"""Users, secrets and bearer tokens."""
