import sys

from sgd_suite.cli import main

sys.exit(main())
