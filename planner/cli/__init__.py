"""The edges: the `plan` Typer app, its output formats, and the MCP server."""
