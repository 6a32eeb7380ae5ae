"""fmcat: keep a service's failure-mode catalog next to its code, and hold the two to each other."""

# A literal, read by the build (pyproject: dynamic version) rather than from the installed
# metadata at run time: importlib.metadata alone costs more than the rest of `fmcat --version`.
__version__ = "0.1.0"
