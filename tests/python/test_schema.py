"""The JSON Schema in schema/ describes what the front end writes and the C loader
reads: the bundled example and every conformance model validate against it, and
both the schema and the C loader refuse the same broken documents."""
import copy
import json

import jsonschema
import pytest

import adac
from conftest import ROOT
from flamo_models import FS, conformance_models

SCHEMA = json.loads((ROOT / "schema" / "adac-ir.schema.json").read_text())
EXAMPLE = json.loads((ROOT / "examples" / "fdn8.json").read_text())


def test_example_matches_schema_and_loader():
    jsonschema.validate(EXAMPLE, SCHEMA)
    assert adac.validate(EXAMPLE) == (1, 1)


@pytest.mark.parametrize("name", ["fdn4_2in_2out", "nested_recursion", "fdn8_parallel_direct"])
def test_front_end_output_matches_schema(name):
    jsonschema.validate(adac.flamo_to_json(conformance_models()[name](), fs=FS), SCHEMA)


def _broken():
    unknown = copy.deepcopy(EXAMPLE)
    unknown["graph"]["core"]["children"][0]["type"] = "bogus"
    version = copy.deepcopy(EXAMPLE)
    version["version"] = 2
    negative = copy.deepcopy(EXAMPLE)
    negative["graph"]["core"]["children"][1]["fF"]["children"][0]["params"]["samples"][0] = -3
    short = copy.deepcopy(EXAMPLE)
    short["graph"]["core"]["children"][1]["fF"]["children"][1]["params"]["sections"][0][0] = [1, 0, 0]
    return {"unknown_type": unknown, "version": version, "negative_delay": negative,
            "short_section": short}


@pytest.mark.parametrize("case", sorted(_broken()))
def test_schema_and_loader_agree_on_broken_documents(case):
    doc = _broken()[case]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)
    with pytest.raises(adac.IRError, match=r"^\$"):
        adac.validate(doc)


@pytest.mark.parametrize("name", ["ScatteringMatrix", "parallelGainDelay", "parallelFilter", "GEQ"])
def test_every_leaf_kind_matches_schema(name):
    from test_modules import build, shell as _shell, NFFT
    jsonschema.validate(adac.flamo_to_json(_shell(build(name), NFFT), fs=FS), SCHEMA)
