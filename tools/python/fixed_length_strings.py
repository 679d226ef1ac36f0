#!/usr/bin/python3
"""Rewrites an HDF5 file with fixed-length strings, the only strings accsim reads.

usage: fixed_length_strings.py IN.h5 [OUT.h5]      (without OUT.h5, IN.h5 is replaced)

accsim refuses variable-length strings (h5py's default for str): libhdf5 1.10 reads
their data from a heap without bounds checks, so one damaged byte crashes it. This
copies every group, dataset and attribute into a new file in HDF5's latest format
(checksummed metadata, as accsim writes), turning variable-length strings into
NUL-padded fixed-length UTF-8 strings as wide as the longest one; everything else is
copied as it is. Writing your own files with h5py: store strings as bytes
(f.attrs["network"] = np.bytes_("lenet5")) and they are fixed-length already.
Needs Debian's python3-h5py.
"""
import os
import sys

import h5py
import numpy as np


def _is_variable_string(dtype):
    info = h5py.check_string_dtype(dtype)
    return info is not None and info.length is None


def _fixed(strings, shape):
    """`strings` (str or bytes) as a fixed-length UTF-8 array of `shape`."""
    data = [s.encode() if isinstance(s, str) else bytes(s) for s in strings]
    width = max([1] + [len(s) for s in data])
    return np.array(data, dtype=h5py.string_dtype("utf-8", width)).reshape(shape)


def _convert_attribute(value):
    if isinstance(value, (str, bytes)):
        return _fixed([value], ())
    if isinstance(value, np.ndarray) and value.dtype == object:
        return _fixed(list(value.flat), value.shape)
    return value


def _copy_attributes(src, dst):
    for name, value in src.attrs.items():
        dst.attrs[name] = _convert_attribute(value)


def _copy_dataset(name, ds, dst):
    if _is_variable_string(ds.dtype):
        out = dst.create_dataset(name, data=_fixed(list(np.asarray(ds[()]).flat), ds.shape))
    else:
        out = dst.create_dataset(name, data=ds[()], chunks=ds.chunks, compression=ds.compression,
                                 compression_opts=ds.compression_opts)
    _copy_attributes(ds, out)


def _copy_group(src, dst):
    _copy_attributes(src, dst)
    for name, item in src.items():
        if isinstance(item, h5py.Dataset):
            _copy_dataset(name, item, dst)
        else:
            _copy_group(item, dst.create_group(name))


def convert(source, target):
    """Writes `source` to `target` with fixed-length strings (through a temporary)."""
    temp = f"{target}.partial{os.getpid()}.h5"
    try:
        with h5py.File(source, "r") as src, h5py.File(temp, "w", libver="latest") as dst:
            _copy_group(src, dst)
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.remove(temp)


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    convert(argv[1], argv[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
