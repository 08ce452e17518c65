"""RareOnco: case management for a national reference centre for rare tumours."""

__version__ = "0.1.0"
