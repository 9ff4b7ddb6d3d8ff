"""User-facing interfaces: the command line (and later the API server and workbench)."""
