"README.md is generated from nbs/index.ipynb and must stay in step with it."
import re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from make_readme import readme_text

def test_readme_matches_index():
    assert (ROOT/'README.md').read_text() == readme_text(), "run: python tools/make_readme.py"

def test_readme_names_the_commands_ci_runs():
    readme = (ROOT/'README.md').read_text()
    assert 'make lab' in readme and 'make test' in readme
    assert re.search(r'^make test$', (ROOT/'.ci'/'run').read_text(), re.M), ".ci/run must call the README's test command"
