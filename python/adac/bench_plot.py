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
    fig, (ax, ax_peak, ax_ratio) = plt.subplots(1, 3, figsize=(17, 4.8))
    for kind in kinds:
        rs = sorted((r for r in rows if r["kind"] == kind), key=lambda r: r["lines"])
        n, c = [r["lines"] for r in rs], colours[kind]
        ax.loglog(n, [r["engine_rtf"] for r in rs], "o-", color=c, label=f"engine double, {kind}")
        ax_peak.semilogx(n, [100 * r["engine_peak_fraction"] for r in rs], "o-", color=c,
                         label=f"double, {kind}")
        if "single_rtf" in rs[0]:
            ax.loglog(n, [r["single_rtf"] for r in rs], "^-", color=c, alpha=0.8, label=f"engine single, {kind}")
            ax_peak.semilogx(n, [100 * r["single_peak_fraction"] for r in rs], "^--", color=c,
                             label=f"single, {kind}")
        if "aot_rtf" in rs[0]:
            ax.loglog(n, [r["aot_rtf"] for r in rs], "s:", color=c, alpha=0.7, label=f"FAUST single AOT, {kind}")
            ax_ratio.semilogx(n, [r["engine_over_aot"] for r in rs], "o-", color=c, label=f"double, {kind}")
            if "single_over_aot" in rs[0]:
                ax_ratio.semilogx(n, [r["single_over_aot"] for r in rs], "^--", color=c, label=f"single, {kind}")
    sizes = sorted({r["lines"] for r in rows})
    for a in (ax, ax_peak, ax_ratio):
        a.set_xticks(sizes)
        a.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        a.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        a.set_xlabel("delay lines N")
        a.grid(True, which="both", alpha=0.3)
    peak = report.get("peak") or {}
    ax.axhline(1, color="black", lw=0.5)
    ax.set_ylabel("real-time factor (x real time, one core)")
    ax.set_title(f"{report['fs']:g} Hz, blocks of {report['block']}")
    ax.legend(fontsize=6, ncol=2)
    ax_peak.set_ylabel("% of the core's measured peak")
    ax_peak.set_title(f"peak {peak.get('double_gflops', 0):.1f} / {peak.get('single_gflops', 0):.1f} GFLOP/s "
                      f"(double / single), {peak.get('dispatch', '').split(' ')[0]}")
    ax_peak.legend(fontsize=6, ncol=2)
    ax_ratio.axhline(1, color="black", lw=0.5)
    ax_ratio.set_ylabel("engine / FAUST single ahead of time")
    ax_ratio.set_title("speed ratio, same model, same run")
    if ax_ratio.lines:
        ax_ratio.legend(fontsize=6, ncol=2)
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
