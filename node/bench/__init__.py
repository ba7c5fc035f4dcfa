"""Benchmarks behind ``acenode bench``; figures go to docs/performance.md."""
