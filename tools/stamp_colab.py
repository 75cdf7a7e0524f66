"""Give every course notebook its Colab badge and setup cell (`make stamp`; see nbs/80_colab.ipynb).

The setup cell installs the last commit that changed the package: run this after committing a change to
`neuralnets101/` or `pyproject.toml`, then commit the notebooks it stamps."""
import subprocess, sys
from pathlib import Path
from neuralnets101.colab import package_commit, stamp_notebook
from course import notebooks

ROOT = Path(__file__).resolve().parents[1]
changed = subprocess.run(['git', 'status', '--porcelain', '--', 'neuralnets101', 'pyproject.toml'], cwd=ROOT, capture_output=True, text=True).stdout
if changed.strip():
    sys.exit(f"commit the package first: the setup cell installs a commit, and these changes are in none yet:\n{changed}")
commit = package_commit(ROOT)
for nb in notebooks():
    if stamp_notebook(nb, commit):
        subprocess.run([Path(sys.executable).parent/'nbdev-clean', '--fname', nb], cwd=ROOT, check=True)   # in nbdev's own layout
        print('stamped', nb.relative_to(ROOT), 'with', commit[:10])
