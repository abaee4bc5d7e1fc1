"""The load test: `make loadtest`, described in loadtest/README.md."""
