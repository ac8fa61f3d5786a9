"""Claims of the lecture slides on convexity (registered as they are written)."""
