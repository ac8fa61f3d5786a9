"""Command line and report generation for the SGD lecture suite (builds on ``verify``, ``sim``)."""

__version__ = "0.1.0"
