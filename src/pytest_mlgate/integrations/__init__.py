"""Integrations built on the ``pytest_mlgate_audit_written`` hook (MLflow, pytest-html) and the
file lineage of datasets (DVC). Each loads only when it is asked for."""
