"""Ownership and control, computed on a database-free graph (networkx/scipy)."""
