"""planner: keeps a project's planning documents true."""

__version__ = "0.1.0"
