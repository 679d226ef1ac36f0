"""Apply accsim error models to a PyTorch model.

An error-model file (written by `accsim errmodel`, layout in docs/error_model.md)
describes, for every layer and pass of a network, what the configured hardware faults
of the simulated array do to the layer's tensors. This package reads it with h5py and
applies every forward-pass pattern to a torch.nn.Module, or raises:

    import accsim_errmodel as aem
    handle = aem.apply(model, "em.h5")                  # in place; prints a summary per layer
    handle.remove()                                     # weights back bit for bit, hooks gone
    corrupted = aem.corrupt(model, "em.h5")             # a corrupted deep copy, model untouched
    handle = aem.apply(seq, "em.h5", mapping={"conv1": "0", "conv2": seq[3]})

Uses only Debian's python3-h5py, python3-numpy and python3-torch. Command line:
    python3 tools/python/accsim_errmodel em.h5       (or: python3 -m accsim_errmodel em.h5)
"""
from .apply import Handle, LayerSummary, apply, corrupt, replay_sample
from .column_sums import recompute_channels
from .model_file import FORMAT, VERSION, ErrorModel, PassModel
from .operand_rules import masked_weight, operand_correction
from .words import DATATYPES, ErrorModelError, bits, from_words, int8_scale, to_words

__version__ = "2.0.0"  # major = the error-model file version this package reads

__all__ = ["DATATYPES", "FORMAT", "VERSION", "ErrorModel", "ErrorModelError", "Handle", "LayerSummary", "PassModel",
           "__version__", "apply", "bits", "corrupt", "from_words", "int8_scale", "masked_weight",
           "operand_correction", "recompute_channels", "replay_sample", "to_words"]
