"""The emit stage: formatting with black, the all-or-nothing write, and the --check comparison."""
