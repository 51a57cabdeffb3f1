"""arazzo-codegen: typed Python functions from Arazzo workflows and their OpenAPI descriptions."""

# The one place the version is written: the distribution's metadata reads it (pyproject.toml,
# [tool.hatch.version]), `arazzo-codegen --version` prints it, and CHANGELOG.md's newest entry is headed by it.
__version__ = "0.1.0"
