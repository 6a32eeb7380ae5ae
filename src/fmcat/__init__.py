"""fmcat: keep a service's failure-mode catalog next to its code, and hold the two to each other."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fmcat")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0+unknown"
