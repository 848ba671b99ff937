"""National-scale benchmark of cchc-rules: generator, zen-engine comparison, `make bench`."""
