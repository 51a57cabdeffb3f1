"""The model stage: the frozen intermediate model and how it is built from loaded documents
(dialect spellings normalised, sources, operations and components resolved)."""
