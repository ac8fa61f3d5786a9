"""Claims of the lecture slides on derivatives (registered as they are written)."""
