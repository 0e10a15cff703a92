"""Synthetic SARA-like training data."""
