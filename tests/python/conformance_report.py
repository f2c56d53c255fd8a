"""Prints the conformance matrix: worst error over all paths, in dB re each path's
peak, for FLAMO <-> engine <-> FAUST and the json_to_flamo round trip.

    .venv/bin/python tests/python/conformance_report.py
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import adac  # noqa: E402
from conftest import error_db  # noqa: E402
from flamo_models import FS, conformance_models  # noqa: E402


def main():
    print(f"{'model':28s} {'paths':>5s} {'nfft':>6s} {'engine~FLAMO':>13s} {'FAUST~engine':>13s} "
          f"{'FAUST~FLAMO':>12s} {'round trip':>11s}")
    worst = -1e9
    for name, build in sorted(conformance_models().items()):
        t0 = time.time()
        model = build()
        config = adac.flamo_to_json(model, fs=FS, name=name)
        ref = adac.flamo_impulse_response(model, fs=FS)
        n = ref.shape[0]
        eng = adac.render_engine(config, n)
        faust = adac.render_faust(adac.json_to_faust(config), n, fs=FS)
        again = adac.flamo_impulse_response(adac.json_to_flamo(config), fs=FS)
        row = [error_db(ref, eng).max(), error_db(eng, faust).max(), error_db(ref, faust).max(),
               error_db(ref, again).max()]
        worst = max(worst, *row)
        paths = ref.shape[1] * ref.shape[2]
        print(f"{name:28s} {paths:5d} {n:6d} " + " ".join(f"{v:12.1f}" for v in row)
              + f"   ({time.time() - t0:.1f} s)", flush=True)
    print(f"worst: {worst:.1f} dB re peak (sample-exact: <= -120 dB)")
    return 0 if worst <= -120 else 1


if __name__ == "__main__":
    sys.exit(main())
