"""The networks of FLAMO's example scripts (examples/e8_colorless_fdn.py,
e8_fdn.py, e8_gfdn.py in the FLAMO repository; the scripts themselves are not in
the pip package), built here with FLAMO 0.2.20's API with the scripts' structure,
delay lengths, settings and anti-aliasing, in float64. Parameters are the seeded
initial ones: the scripts then train them, which changes values, not structure."""
from __future__ import annotations

from collections import OrderedDict

import torch
from flamo.auxiliary import reverb
from flamo.processor import dsp, system

FS = 48000
NFFT = 96000  # the scripts' default
DT = torch.float64


def _io_gains(n, alias_decay_db):
    kw = dict(nfft=NFFT, requires_grad=True, alias_decay_db=alias_decay_db, device="cpu", dtype=DT)
    return dsp.Gain(size=(n, 1), **kw), dsp.Gain(size=(1, n), **kw)


def _delay_lines(lengths, alias_decay_db):
    lengths = torch.as_tensor(lengths)
    delays = dsp.parallelDelay(size=(len(lengths),), max_len=int(lengths.max()), nfft=NFFT, isint=True,
                               requires_grad=False, alias_decay_db=alias_decay_db, device="cpu", dtype=DT)
    delays.assign_value(delays.sample2s(lengths))
    return delays


def _fdn_shell(input_gain, loop, output_gain, output_layer):
    core = system.Series(OrderedDict(
        {"input_gain": input_gain, "feedback_loop": loop, "output_gain": output_gain}))
    return system.Shell(core=core, input_layer=dsp.FFT(NFFT, dtype=DT), output_layer=output_layer)


def colorless_fdn():
    """e8_colorless_fdn: 6 lossless lines, orthogonal feedback, trained on the
    magnitude response (the Shell's output layer is |H|)."""
    torch.manual_seed(130709)
    a = 30
    b, c = _io_gains(6, a)
    delays = _delay_lines([887, 911, 941, 1699, 1951, 2053], a)
    feedback = dsp.Matrix(size=(6, 6), nfft=NFFT, matrix_type="orthogonal", requires_grad=True,
                          alias_decay_db=a, device="cpu", dtype=DT)
    loop = system.Recursion(fF=delays, fB=feedback)
    return _fdn_shell(b, loop, c, dsp.Transform(transform=lambda x: torch.abs(x), dtype=DT)), a


def _attenuating_fdn(attenuation, a):
    b, c = _io_gains(6, a)
    delays = _delay_lines([593, 743, 929, 1153, 1399, 1699], a)
    mixing = dsp.Matrix(size=(6, 6), nfft=NFFT, matrix_type="orthogonal", requires_grad=True,
                        alias_decay_db=a, device="cpu", dtype=DT)
    feedback = system.Series(OrderedDict({"mixing_matrix": mixing, "attenuation": attenuation}))
    loop = system.Recursion(fF=delays, fB=feedback)
    return _fdn_shell(b, loop, c, dsp.iFFTAntiAlias(nfft=NFFT, alias_decay_db=a, device="cpu", dtype=DT))


def geq_fdn():
    """e8_fdn example_fdn: 6 lines, orthogonal mixing, a trainable octave GEQ per line
    (gains through the script's map 20 log10(sigmoid(x)) dB) in the feedback path."""
    torch.manual_seed(130799)
    a = 30
    attenuation = dsp.parallelGEQ(size=(6,), octave_interval=1, nfft=NFFT, fs=FS, requires_grad=True,
                                  alias_decay_db=a, device="cpu", dtype=DT)
    attenuation.map = lambda x: 20 * torch.log10(torch.sigmoid(x))
    return _attenuating_fdn(attenuation, a), a


def accurate_geq_fdn():
    """e8_fdn example_fdn_accurate_geq: the same FDN with parallelFDNAccurateGEQ
    designed for the script's reverberation-time profile (0.25-0.8 s)."""
    torch.manual_seed(130799)
    lengths = torch.tensor([593, 743, 929, 1153, 1399, 1699])
    attenuation = reverb.parallelFDNAccurateGEQ(octave_interval=1, nfft=NFFT, fs=FS, delays=lengths,
                                                alias_decay_db=0, device="cpu", dtype=DT)
    attenuation.assign_value(torch.tensor([0.25, 0.5, 0.5, 0.65, 0.7, 0.75, 0.8, 0.75, 0.65, 0.5, 0.25]))
    return _attenuating_fdn(attenuation, 0), 0


def grouped_fdn():
    """e8_gfdn (GroupedFDN): 2 groups of 4 lines (the script's lengths, repeated),
    each group mixed by its own orthogonal block, a first-order shelving
    attenuation (1 s at DC, 0.2 s at Nyquist, 4 kHz crossover). FLAMO 0.2.20 has
    no "random_block_diagonal" matrix type: the orthogonal Matrix's skew parameter
    is made block-diagonal instead, with a small coupling between the groups."""
    torch.manual_seed(130798)
    a, group, groups = 30, 4, 2
    lengths = torch.tensor([997, 1153, 1327, 1559] * groups, dtype=torch.int64)
    n = group * groups
    b, c = _io_gains(n, a)
    delays = _delay_lines(lengths, a)
    mixing = dsp.Matrix(size=(n, n), nfft=NFFT, matrix_type="orthogonal", requires_grad=True,
                        alias_decay_db=a, device="cpu", dtype=DT)
    blocks = torch.block_diag(*[torch.randn(group, group, dtype=DT) for _ in range(groups)])
    coupling = 0.05 * (1 - torch.block_diag(*[torch.ones(group, group, dtype=DT)] * groups))
    mixing.assign_value(blocks + coupling)
    attenuation = reverb.parallelFirstOrderShelving(nfft=NFFT, fs=FS, rt_nyquist=0.2, delays=lengths,
                                                    alias_decay_db=a, requires_grad=True, device="cpu",
                                                    dtype=DT)
    attenuation.assign_value(torch.tensor([1.0, 2 * torch.pi * 4000.0 / FS], dtype=DT))
    feedback = system.Series(OrderedDict({"mixing_matrix": mixing, "attenuation": attenuation}))
    loop = system.Recursion(fF=delays, fB=feedback)
    return _fdn_shell(b, loop, c, dsp.iFFTAntiAlias(nfft=NFFT, alias_decay_db=a, device="cpu", dtype=DT)), a


EXAMPLES = {"colorless_fdn": colorless_fdn, "geq_fdn": geq_fdn, "accurate_geq_fdn": accurate_geq_fdn,
            "grouped_fdn": grouped_fdn}
