"""Benchmarks of microweb, in both styles, against Flask, Falcon and Bottle.

Run ``python -m benchmarks --help``; ``docs/benchmarks.rst`` says what is
measured and how. The package is not part of the installed distribution.
"""
