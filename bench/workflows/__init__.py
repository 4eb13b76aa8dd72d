"""Workflows only the benchmarks run (kept importable: the sandbox refuses workflows defined in `__main__`)."""
