"""The planning index in .planning/.cache: session, stored file, workers."""
