"""Loading, the first stage: files on disk become positioned trees, every document a run touches loaded once.

Data flows files -> positioned tree (this stage) -> model (``generator.build``) -> plan -> Python source. This
package imports nothing on its own; its modules are imported by name:

- ``positioned``: YAML/JSON text parsed into plain values with the line and column of every node kept aside
  (``Positioned``, ``JsonPath``, ``load_positioned``, ``parse_positioned``), bounded reading of regular files
  (``read_limited``, ``MAX_FILE_BYTES``) and ``LoadError``, the located reason a file cannot be read.
- ``workspace``: ``Workspace``, the documents of one run, each loaded once, load problems as diagnostics.
- ``refs``: JSON references within and across loaded documents (``resolve_ref``, ``references``,
  ``broken_refs``, ``RefError``) and schema inlining for generated code (``inline``).
- ``openapi``: OpenAPI descriptions validated with openapi-spec-validator (``validate_openapi``) and their
  operations with references resolved (``operations``, ``OperationNodes``, ``default_server``).
- ``validation``: openapi-spec-validator's findings as data at the node each concerns (``Finding``).
- ``source_files``: the local file a source description's relative ``url`` names (``local_source``) and a hint
  when it is missing (``ancestor_hint``).
- ``multipart``: how each part of a ``multipart/form-data`` body is sent (``part_encodings``), from the OpenAPI
  Encoding Object and its defaults.
"""
