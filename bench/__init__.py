"""Benchmarks of the route optimiser against published best-known solutions (``make bench``)."""
