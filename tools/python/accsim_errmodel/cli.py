"""The command line: prints an error-model file's header and summaries."""
import sys

from . import __version__
from .model_file import ErrorModel
from .words import ErrorModelError

USAGE = "usage: python3 -m accsim_errmodel ERROR_MODEL.h5   (or: python3 tools/python/accsim_errmodel ERROR_MODEL.h5)"


def main(argv):
    if len(argv) == 2 and argv[1] == "--version":
        print(f"accsim_errmodel {__version__}")
        return 0
    if len(argv) != 2 or argv[1].startswith("-"):
        print(USAGE, file=sys.stderr)
        return 2
    try:
        em = ErrorModel(argv[1])
    except ErrorModelError as e:
        print(f"accsim_errmodel: {e}", file=sys.stderr)
        return 2
    model = em.attrs.get("model", em.attrs.get("network", "?"))  # files before accsim's one graph path: "network"
    print(f"{em.path}: {model} on {em.atomic_c}x{em.atomic_k} {em.datatype}, "
          f"swizzle {em.attrs.get('swizzle', '?')}")
    for line in em.summaries:
        print(line)
    return 0
