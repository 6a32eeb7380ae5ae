"""`python -m bench.scan [RUNS]`: the code scan benchmark alone."""

import sys

from bench.scan import main

main(sys.argv[1:])
