"""Runnable examples built on the generated workflow functions."""
