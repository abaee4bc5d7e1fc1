"""The benchmark: `make bench`, or `.venv/bin/python -m bench.run`. See bench/README.md."""
