"""Single-precision fidelity of what ships: for every FLAMO module (alone and in an
FDN loop) and the FLAMO example networks, the error of the FAUST single-precision
build and of the engine's single-precision path against the model (the double
engine), beside the coefficient-rounding floor (the engine with every coefficient
rounded to float, against the engine). Writes the table in
docs/single_precision.md:

    .venv/bin/python bench/single_fidelity.py > docs/single_precision_table.md
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "python"))

import adac  # noqa: E402
from conftest import error_db as error_db_per_path  # noqa: E402

N = 16384


def error_db(ref, test):
    """The worst path's error, dB re that path's peak (the tests' measure)."""
    return float(error_db_per_path(ref, test).max())


def row(name, config):
    text = adac.to_text(config)
    ref = adac.render_engine(config, N)
    single = adac.render_faust(adac.json_to_faust(config), N, fs=int(config["fs"]), double_precision=False)
    engine_single = adac.render_engine(config, N, precision="single")
    floor = adac.coefficient_floor_db(text, N)
    errs = [error_db(ref, single), error_db(ref, engine_single)]
    ok = all(err <= floor + 6 or err <= -120 for err in errs)

    def db(x):
        return "exact" if x < -300 else f"{x:.1f}"

    def above(err):
        return "" if err < -300 or floor < -300 else f"{err - floor:+.1f}"
    return (f"| {name} | {db(floor)} | {db(errs[0])} | {above(errs[0])} | {db(errs[1])} | {above(errs[1])} | "
            f"{'yes' if ok else '**no**'} |")


def main():
    import test_modules as tm
    import flamo_example_networks as ex
    print("| model | coefficient floor (dB) | FAUST single (dB) | above the floor | engine single (dB) | "
          "above the floor | both within 6 dB or -120 |")
    print("|---|---|---|---|---|---|---|")
    for name in sorted(tm.MODULES):
        print(row(f"{name} alone", adac.flamo_to_json(tm.build(name), fs=tm.FS, name=name)), flush=True)
        print(row(f"{name} in an FDN", adac.flamo_to_json(tm.in_loop(name), fs=tm.FS, name=name)), flush=True)
    for name in ("colorless_fdn", "geq_fdn", "accurate_geq_fdn", "grouped_fdn"):
        built = getattr(ex, name)()
        model = built[0] if isinstance(built, tuple) else built
        print(row(name, adac.flamo_to_json(model, fs=48000, name=name)), flush=True)


if __name__ == "__main__":
    main()
