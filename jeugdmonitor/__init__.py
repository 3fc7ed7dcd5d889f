"""jeugdmonitor, the one import root: the CLI and deployments, the I/O of each stage (ijw, jgt, cbs, marts,
alerts), the shared plumbing at this level, the synthetic data, and (mapped from the top-level folders) flows,
transforms, schemas and expectations. README "Layout" and docs/architecture.md have the floor plan."""

__version__ = "0.1.0"
