"""Checks of a loaded Arazzo document: structure (our JSON Schema rules), references, operations."""
