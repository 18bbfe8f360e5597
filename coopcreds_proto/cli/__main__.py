"""``python -m coopcreds_proto.cli``: the ``coopcreds`` command."""

import sys

from . import main

sys.exit(main())
