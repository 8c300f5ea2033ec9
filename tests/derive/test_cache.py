"""The on-disk derivation cache changes how long a derivation takes, never what it says."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, derive, lemmas, numeric
th = derive.theorem()
derive.register_derived()
ev = numeric.evaluate(dps=40)
print(json.dumps({"bound": str(th.bound), "obligations": [str(o) for o in th.obligations],
                  "names": lemmas.names(), "value": ev.fmt(ev.value),
                  "refusal": str(lemmas.get("sqrt-subadditive-3").hypotheses[0].condition)}))
"""


def _run(cache, no_cache=False):
    env = dict(os.environ, RANKBOUND_CACHE_DIR=str(cache))
    if no_cache:
        env["RANKBOUND_NO_CACHE"] = "1"
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_restored_theorem_is_the_computed_one(tmp_path):
    fresh = _run(tmp_path, no_cache=True)
    assert not any(tmp_path.iterdir()), "RANKBOUND_NO_CACHE must not write"
    first = _run(tmp_path)                       # computes and writes
    assert any(p.suffix == ".pickle" for p in tmp_path.iterdir())
    second = _run(tmp_path)                      # restores
    assert fresh == first == second
    # an unevaluated hypothesis (a_1 >= 0) must stay unevaluated in the registered lemma
    assert second["refusal"] == "a_1 >= 0"


def test_corrupt_entry_is_recomputed(tmp_path):
    _run(tmp_path)
    for p in tmp_path.glob("*.pickle"):
        p.write_bytes(b"not a pickle")
    again = _run(tmp_path)
    assert again["value"] == _run(tmp_path, no_cache=True)["value"]
