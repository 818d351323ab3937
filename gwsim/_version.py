"""The gwsim version (read by the package root and by provenance)."""

__version__ = "0.1.0"
