"""jeugdmonitor: shared plumbing (configuration, warehouse, pseudonymisation, CLI, synthetic data)."""

__version__ = "0.1.0"
