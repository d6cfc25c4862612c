"""Synthetic registry data for load and query benchmarks."""
