"""Formulas the simulator's exact theory and checks rely on beyond the lecture (data only)."""
