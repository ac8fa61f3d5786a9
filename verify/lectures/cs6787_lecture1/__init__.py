"""CS6787 Lecture 1, "Stochastic Gradient Descent: The Workhorse of Machine Learning" (data only)."""
