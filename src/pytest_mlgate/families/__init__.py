"""The API classes the fixture's factories return, one module per family of checks."""
