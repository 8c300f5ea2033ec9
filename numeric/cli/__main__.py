import sys

from numeric.cli.main import main

sys.exit(main())
