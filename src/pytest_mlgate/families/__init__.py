"""The API classes the ``mlgate`` fixture's factories return, one module per family."""
