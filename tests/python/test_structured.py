"""Structured feedback matrices: the front end marks FLAMO's HouseholderMatrix and
Hadamard Matrix, the engine and FAUST apply their fast forms, and the result is the
dense model's, and FLAMO's, to well under -120 dB."""
import copy

import numpy as np
import pytest

import adac
from conftest import error_db
from flamo_models import FS, fdn


def feedback_leaf(node):
    """The recursion's fB leaf in an extracted FDN."""
    if node.get("type") == "recursion":
        return node["fB"]
    for child in node.get("children", []) + [node.get("core")] * ("core" in node):
        found = feedback_leaf(child)
        if found:
            return found
    return None


@pytest.mark.parametrize("kind", ["householder", "hadamard"])
def test_fast_forms_match_dense_and_flamo(kind):
    model = fdn(n=8, matrix=kind, absorb="sos", seed=21)
    config = adac.flamo_to_json(model, fs=FS, name=f"fdn8_{kind}")
    leaf = feedback_leaf(config["graph"])
    assert leaf["params"]["structure"]["kind"] == kind

    dense = copy.deepcopy(config)
    del feedback_leaf(dense["graph"])["params"]["structure"]
    ref = adac.flamo_impulse_response(model, fs=FS)
    n = ref.shape[0]
    fast_engine, dense_engine = adac.render_engine(config, n), adac.render_engine(dense, n)
    fast_code = adac.json_to_faust(config)
    fast_faust = adac.render_faust(fast_code, n)
    dense_faust = adac.render_faust(adac.json_to_faust(dense), n)
    # the fast form is what was emitted: butterflies, or one dot product spread back
    assert ("adac_butterfly" in fast_code) == (kind == "hadamard")
    assert error_db(dense_engine, fast_engine).max() <= -200
    assert error_db(dense_faust, fast_faust).max() <= -200
    assert error_db(ref, fast_engine).max() <= -120
    assert error_db(ref, fast_faust).max() <= -120


def test_a_wrong_structure_is_refused_with_its_path():
    config = adac.flamo_to_json(fdn(n=4, matrix="householder", seed=2), fs=FS, name="x")
    leaf = feedback_leaf(config["graph"])
    leaf["params"]["structure"]["u"][0] += 0.5
    with pytest.raises(adac.IRError, match=r"params\.structure: does not reproduce params\.matrix"):
        adac.json_to_faust(config)


def test_faust_butterflies_are_the_engines_bit_for_bit():
    """A lossless 16-line loop around a Hadamard matrix only: after a few trips
    round the loop every sample is a sum of many rounded terms, so FAUST agrees
    with the engine in every bit only if it adds them in the engine's stages
    (FAUST would otherwise flatten the butterflies into reordered long sums)."""
    n_lines = 16
    hadamard = np.array([[1.0]])
    while hadamard.shape[0] < n_lines:
        hadamard = np.block([[hadamard, hadamard], [hadamard, -hadamard]])
    hadamard /= np.sqrt(n_lines)
    delays = [3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59]
    config = {"format": "adac-ir", "version": 1, "name": "butterflies", "fs": FS,
              "graph": {"type": "recursion", "model_path": "loop",
                        "fF": {"type": "parallel_delay", "model_path": "loop.delays",
                               "params": {"samples": delays}},
                        "fB": {"type": "gain", "model_path": "loop.feedback",
                               "params": {"matrix": hadamard.tolist(),
                                          "structure": {"kind": "hadamard"}}}}}
    n = 4096
    engine = adac.render_engine(config, n)
    faust = adac.render_faust(adac.json_to_faust(config), n)
    assert engine.shape == faust.shape == (n, n_lines, n_lines)
    # lossless: the loop still carries its energy at the end (the test is not vacuous)
    assert np.abs(engine[-256:]).max() > 0.01
    assert np.array_equal(engine, faust)
