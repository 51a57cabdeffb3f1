"""The codegen stage: the model compiled to Python code as data (ast nodes, type trees, names from
one sanitiser) and rendered in one place into the module template."""
