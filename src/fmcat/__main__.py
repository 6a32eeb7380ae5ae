import sys

from fmcat.cli import main

sys.exit(main())
