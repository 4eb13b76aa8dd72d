"""`python -m runtime <command>`: the `grantdesk` command, as the long-running processes are started.

Run this way, the worker's PDF rendering processes do not import the command line with everything it can run
(multiprocessing re-imports a main module in each process it spawns, but not a package's `__main__`): each
renderer holds WeasyPrint and little else, about 60 MB less than as `grantdesk worker`.
"""

import sys

from runtime.cli import app

sys.exit(app(prog_name="grantdesk"))
