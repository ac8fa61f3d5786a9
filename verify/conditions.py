"""Claims of the lecture slides on conditions (registered as they are written)."""
