"""Prefect flows. They only orchestrate: every step that thinks lives in transforms/ or the jeugdmonitor package."""
