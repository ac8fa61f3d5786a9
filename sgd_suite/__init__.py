"""Command line and report generation for the SGD lecture suite (builds on ``verify``, ``sim``)."""
