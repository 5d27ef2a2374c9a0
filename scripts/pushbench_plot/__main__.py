"""python3 -m pushbench_plot (from scripts/): the same as scripts/plot.py."""

import sys

from .cli import main

sys.exit(main())
