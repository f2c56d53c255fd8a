"""FLAMO's default dtype: float32 twins of the test models, and their reference.

A twin is built by the same builder under float32 (as most training scripts
leave FLAMO). Its reference is the same model built in float64 with the twin's
float32 parameters copied in (every map then evaluated in float64), except the
delay modules' parameters: float32 cannot hold most delays exactly in seconds, and
the compiler reads a delay that float32 rounding moved off an integer (by at most
64 float32 ulps) as that integer, which the float64 build holds exactly.

State a module makes at construction in its dtype (GEQ centre frequencies and
design tables: buffers and tensor attributes) is copied from the twin too. Not
covered: ScatteringMatrix and VelvetNoiseMatrix, whose random sparse structure is
drawn differently by a float64 build (it even has another number of taps)."""
from __future__ import annotations

import contextlib
import sys

import torch
from flamo.processor import dsp

import flamo_models

# Modules whose float32 parameter is a delay (GainDelay's holds gains too: its
# gains then stay float64 in the reference, within float32 rounding of the twin's).
DELAY_MODULES = (dsp.Delay, dsp.parallelDelay, dsp.GainDelay, dsp.parallelGainDelay)


@contextlib.contextmanager
def built_in(dtype):
    """Builders of the test modules read their module's DT when they run."""
    mods = [m for name, m in sys.modules.items()
            if name in ("flamo_models", "test_modules", "flamo_example_networks", "test_flamo_examples")]
    saved = [(m, m.DT) for m in mods if hasattr(m, "DT")]
    try:
        for m, _ in saved:
            m.DT = dtype
        yield
    finally:
        for m, dt in saved:
            m.DT = dt


def twin(builder):
    """(model at float32, float64 reference of its parameters)."""
    with built_in(torch.float32):
        m32 = builder()
    m64 = builder()
    mods32, mods64 = list(m32.modules()), list(m64.modules())
    assert [type(a) for a in mods32] == [type(b) for b in mods64], "the builder is not deterministic"
    with torch.no_grad():
        for a, b in zip(mods32, mods64):
            if isinstance(b, DELAY_MODULES):
                continue
            for p32, p64 in zip(a.parameters(recurse=False), b.parameters(recurse=False)):
                assert p32.dtype == torch.float32, type(a).__name__
                p64.copy_(p32.double())
            # State made at construction in the module's dtype (GEQ centre
            # frequencies, design tables): the twin's, in float64.
            for (_, b32), (_, b64) in zip(a.named_buffers(recurse=False), b.named_buffers(recurse=False)):
                b64.data = _as_float64(b32).clone()
            for key, value in vars(a).items():
                if isinstance(value, torch.Tensor) and not isinstance(value, torch.nn.Parameter) and key in vars(b):
                    setattr(b, key, _as_float64(value))
    return m32, m64


def _as_float64(t):
    if t.is_complex():
        return t.to(torch.complex128)
    return t.double() if t.is_floating_point() else t
