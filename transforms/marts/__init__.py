"""Indicator logic: pure functions from fact frames to mart frames (docs/indicators/ has one page per mart)."""
