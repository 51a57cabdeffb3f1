"""arazzo-codegen: typed Python functions from Arazzo workflows and their OpenAPI descriptions."""

__version__ = "0.1.0"
