"""Plot an adac-bench JSON report: real-time factor against network size.

    python -m adac.bench_plot report.json out.png

adac-bench --plot calls this; it needs matplotlib (in the `full` extra).
"""
from __future__ import annotations

import json
import sys


def plot(report: dict, png_path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    rows = report["rows"]
    kinds = sorted({r["kind"] for r in rows}, key=["dense", "householder", "hadamard", "diagonal"].index)
    colours = {"dense": "tab:blue", "householder": "tab:orange", "hadamard": "tab:green",
               "diagonal": "tab:gray"}
    fig, (ax, ax_ratio) = plt.subplots(1, 2, figsize=(12, 4.8))
    for kind in kinds:
        rs = sorted((r for r in rows if r["kind"] == kind), key=lambda r: r["lines"])
        n = [r["lines"] for r in rs]
        ax.loglog(n, [r["engine_rtf"] for r in rs], "o-", color=colours[kind], label=f"engine, {kind}")
        if "faust_rtf" in rs[0]:
            ax.loglog(n, [r["faust_rtf"] for r in rs], "s--", color=colours[kind], alpha=0.7,
                      label=f"FAUST, {kind}")
            ax_ratio.semilogx(n, [r["engine_over_faust"] for r in rs], "o-", color=colours[kind],
                              label=kind)
    for fit in report.get("fits", []):
        if fit["kind"] == "dense" and fit["fit"]["breaks_at"]:
            ax.axvline(fit["fit"]["breaks_at"], color="grey", lw=0.8, ls=":")
    sizes = sorted({r["lines"] for r in rows})
    for a in (ax, ax_ratio):
        a.set_xticks(sizes)
        a.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        a.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.axhline(1, color="black", lw=0.5)
    ax.set_xlabel("delay lines N")
    ax.set_ylabel("real-time factor (x real time, one core)")
    faust = report.get("faust") or {}
    ax.set_title(f"{report['fs']:g} Hz, blocks of {report['block']}; FAUST {faust.get('options', '')}")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    ax_ratio.axhline(1, color="black", lw=0.5)
    ax_ratio.set_xlabel("delay lines N")
    ax_ratio.set_ylabel("engine / FAUST speed")
    ax_ratio.set_title("speed ratio, same model, same run")
    ax_ratio.grid(True, which="both", alpha=0.3)
    if ax_ratio.lines:
        ax_ratio.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(png_path, dpi=120)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    with open(argv[0]) as f:
        plot(json.load(f), argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
