"""The one safetensors writer of the golden-file scripts (make_*.py).

The format: an 8-byte little-endian header length, a JSON header
{"name": {"dtype", "shape", "data_offsets"}, "__metadata__": {...}} padded with spaces to 8 bytes,
then the raw little-endian bytes. Written by hand so the scripts need only torch and numpy.
"""
import json
import struct

import numpy as np


def write_safetensors(path, tensors, metadata=None):
    """tensors: name -> torch tensor or numpy array (floats stored as F32, integers as I32)."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        a = t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)
        if np.issubdtype(a.dtype, np.floating):
            a, dtype = a.astype("<f4"), "F32"
        elif np.issubdtype(a.dtype, np.integer):
            a, dtype = a.astype("<i4"), "I32"
        else:
            raise TypeError(f"{name}: unsupported dtype {a.dtype}")
        raw = np.ascontiguousarray(a).tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)  # align the data to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for raw in blobs:
            f.write(raw)
    print(f"wrote {path} ({8 + len(h) + offset} bytes, {len(tensors)} tensors)")


def read_safetensors(path):
    """name -> numpy array, and the metadata (used to check a regenerated file against the old)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    out = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        out[name] = np.frombuffer(data[b:end], dtype="<f4" if e["dtype"] == "F32" else "<i4").reshape(e["shape"])
    return out, meta
