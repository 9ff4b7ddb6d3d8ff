"""Model files -> the immutable IR (:mod:`wholesystem.ir`)."""
