import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parents[2]


def error_db(ref: np.ndarray, test: np.ndarray) -> np.ndarray:
    """Worst error per (out, in) path in dB relative to that path's peak; arrays are
    (n, out, in)."""
    assert ref.shape == test.shape, (ref.shape, test.shape)
    peak = np.abs(ref).max(axis=0)
    peak = np.where(peak > 0, peak, np.abs(ref).max())
    err = np.abs(test - ref).max(axis=0)
    with np.errstate(divide="ignore"):
        return 20 * np.log10(err / peak)
