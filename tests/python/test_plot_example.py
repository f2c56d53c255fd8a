"""examples/plot_responses.py compares FLAMO, the engine and FAUST. FLAMO's
response is circular at its nfft: for a model that decays slower than nfft
samples, a fixed nfft made the comparison measure time aliasing (-52 dB for a
1.2 s model at nfft 32768) instead of the compiler."""
import re
import subprocess

import adac
from conftest import ROOT
from flamo_models import FS, fdn


def test_plot_script_chooses_nfft_from_the_decay(tmp_path):
    model = fdn(n=8, t60=1.2, nfft=2**15)
    config = adac.flamo_to_json(model, fs=FS, name="slow")
    assert config["flamo"]["nfft"] == 2**15
    adac.save(config, tmp_path / "slow.json")
    (tmp_path / "slow.dsp").write_text(adac.json_to_faust(config))
    r = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "examples" / "plot_responses.py"),
                        str(tmp_path / "slow.json"), str(tmp_path / "slow.dsp"), "-o", str(tmp_path / "r.png")],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    n = int(r.stdout.split()[0])
    assert n > 2**15  # longer than the model's own nfft: 1.2 s decays past it
    err = float(re.search(r"engine vs FLAMO (-?[\d.]+|-inf) dB", r.stdout).group(1))
    assert err <= -120, r.stdout
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"
