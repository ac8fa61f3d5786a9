"""Claims of the lecture slides on strong_convexity (registered as they are written)."""
