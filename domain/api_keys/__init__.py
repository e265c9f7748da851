"""API keys: credentials for machine clients of /api/v1, scoped, hashed at rest, revocable."""
