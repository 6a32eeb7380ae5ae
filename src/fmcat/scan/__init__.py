"""The code scan: find external calls with libcst, check their timeouts and handling."""
