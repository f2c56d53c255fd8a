"""Real-time audio through a real audio server: JACK2 with its dummy driver
(Debian's jackd2; no sound card needed), reached by adac-run --play through
PortAudio's JACK host API. The test starts and stops its own server.

The dummy driver counts an xrun whenever its timer wakes late, client or not: on
this 2-core VM it logs some every 30 s with no client connected (14-23 us late).
Those are the host's, not the engine's. What the engine owes is every callback
finished within its period: that is asserted (allowing 1 in 10 000 for the VM
descheduling the process); the server's xruns during the run and while idle are
printed beside it (docs/live.md)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

import adac
from conftest import ROOT

ADAC_RUN = ROOT / ".venv" / "bin" / "adac-run"


def _fdn16() -> dict:
    rng = np.random.default_rng(0)
    n = 16
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    d = rng.integers(500, 2500, n)
    g = 10 ** (-3 * d / 48000 / 1.5)
    return adac.dss_to_json(q * g[None, :], np.ones((n, 1)) / 4, np.ones((1, n)) / 4, np.zeros((1, 1)), d,
                            fs=48000, name="fdn16")


@pytest.fixture
def jack_server(tmp_path):
    """jackd, realtime, dummy driver, 48 kHz, 64-frame periods; stopped after the test."""
    jackd = shutil.which("jackd")
    assert jackd, "jackd is not installed (Debian package jackd2; ./setup.sh installs it)"
    log = open(tmp_path / "jackd.log", "w")
    env = dict(os.environ, JACK_NO_AUDIO_RESERVATION="1", JACK_DEFAULT_SERVER="adac-test")
    server = subprocess.Popen([jackd, "-n", "adac-test", "-R", "-P", "80", "-d", "dummy", "-r", "48000", "-p", "64"],
                              stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        for _ in range(50):
            if "JACK server starting" in (tmp_path / "jackd.log").read_text() or server.poll() is not None:
                break
            time.sleep(0.1)
        time.sleep(1.0)
        assert server.poll() is None, (tmp_path / "jackd.log").read_text()
        yield env, tmp_path / "jackd.log"
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def _server_xruns(log: Path) -> int:
    return log.read_text().count("XRun")


def test_sixty_seconds_of_a_16_line_fdn_at_64_frames_and_a_reload(jack_server, tmp_path):
    env, log = jack_server
    idle_from = _server_xruns(log)
    time.sleep(15)
    idle = _server_xruns(log) - idle_from
    model = tmp_path / "fdn16.json"
    adac.save(_fdn16(), model)
    play = subprocess.Popen([str(ADAC_RUN), str(model), "--play", "--block", "64", "--seconds", "60", "--watch",
                             "--stats"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    run_from = _server_xruns(log)
    time.sleep(20)
    # a trained step: the same network with other output gains, swapped in while it plays
    cfg = adac.to_dict(model)
    output_gains = cfg["graph"]["children"][0]["children"][-1]["params"]  # C, after the loop
    output_gains["matrix"] = (np.asarray(output_gains["matrix"]) * 0.5).tolist()
    adac.save(cfg, tmp_path / "next.json")
    (tmp_path / "next.json").replace(model)
    out, _ = play.communicate(timeout=120)
    server = _server_xruns(log) - run_from
    assert play.returncode == 0, out
    stats = re.search(r"stats: (\d+) blocks of 64 frames .* p99 ([\d.]+) us, max ([\d.]+) us; (\d+) over budget; "
                      r"xruns (\d+)", out)
    assert stats, out
    blocks, over, xruns = int(stats[1]), int(stats[4]), int(stats[5])
    print(f"JACK dummy driver, 64 frames: server xruns {server} in 60 s with adac-run playing, {idle} in 15 s idle; "
          f"PortAudio reported {xruns}; {stats[0]}")
    assert blocks >= 60 * 48000 // 64
    # The render itself: 99 % of the callbacks in a tenth of their 1.33 ms.
    assert float(stats[2]) < 1333 / 10, out
    # Every callback within its 1.33 ms, but for at most 1 in 5000, and for as
    # many more as the machine stalls the JACK server by itself: a 2-core VM
    # that also runs the test, pytest and the watcher can be descheduled for a
    # few ms (seen here: 1 callback in one CI run with a compiler beside it, 6 of
    # up to 4.9 ms in another with p99 at 34 us; 11 of up to 4.1 ms in a run
    # whose idle server had 37 xruns in 15 s). The idle xruns are counted before
    # adac-run starts, so on a quiet machine the bound stays 1 in 5000.
    assert over <= blocks // 5000 + idle * 60 // 15, out
    latency = re.search(r"reload latency .* max ([\d.]+) ms", out)
    assert latency and "same shape" in out, out
    assert float(latency[1]) <= 20.0, out
