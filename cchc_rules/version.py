"""The version of cchc-rules, in one place (pyproject reads it; reports and --version print it)."""
__version__ = "0.1.0"
