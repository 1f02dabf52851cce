"""Reading and writing the planning tree: names, frontmatter, schema, reader, writes."""
