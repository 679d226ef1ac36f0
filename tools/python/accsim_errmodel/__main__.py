"""python3 -m accsim_errmodel FILE, or python3 tools/python/accsim_errmodel FILE."""
import os
import sys

if __package__ in (None, ""):  # run as a directory: make the package importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from accsim_errmodel.cli import main  # noqa: E402

sys.exit(main(sys.argv))
