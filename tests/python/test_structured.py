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
