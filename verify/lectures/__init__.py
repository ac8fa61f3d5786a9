"""Lectures shipped as data: one folder per lecture (its text and its claims, see verify.lecture)."""
