"""The file primitives: bounded safe reads, atomic replaces, journaled steps."""
