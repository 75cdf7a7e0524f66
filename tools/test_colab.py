"""`make test-colab`: the course in an environment with Google Colab's package versions.

1. Builds `.venv-colab` (git-ignored; reused while `colab/constraints.txt` is unchanged) with Colab's pins from
   `colab/constraints.txt`, plus pytest and playwright installed with `-c colab/constraints.txt` so no pin moves.
2. Runs the notebooks' setup cell exactly as Colab would, but from a `git+file://` URL of this checkout (at the
   commit the notebooks name, whose package must be HEAD's), and fails if pip changed any installed package.
   Checks that the environment's dependency closure is pinned (tools/colab_pins.py --check).
3. Runs the lesson notebooks (and the widget and Colab notebooks) there, each opened alone in an empty folder
   with an empty fastai data folder, as in a fresh Colab runtime (offline: the course falls back to its subset);
   a notebook that shows a warning (other than the course's offline notice) fails.
4. Runs `tests/colab/` in that environment: Debian's Chromium drives the sliders in the classic Notebook 6.5.7.
   Screenshots go to test-artifacts/colab/.

Prints `N passed, N failed` as its last line and exits non-zero when anything failed.
Uses only the standard library, so any Python 3.10+ can start it; `PYTHON=python3.11 make test-colab` picks the
interpreter the environment is built with (default: the one running this script)."""
import hashlib, json, os, re, shutil, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from course import COLAB_TOO, lesson_paths
from check_outputs import warnings_shown
from colab_pins import normal   # package names as pip compares them
sys.path.insert(0, str(ROOT))
from neuralnets101.colab import stamped_commit   # standard library only, like this script
VENV = Path(os.environ.get('NEURALNETS101_COLAB_VENV', ROOT/'.venv-colab'))
PY = VENV/'bin'/'python'
CONSTRAINTS = ROOT/'colab'/'constraints.txt'
ARTIFACTS = ROOT/'test-artifacts'/'colab'
sys.path.insert(0, str(ROOT/'tests'))
from browser import CHROMIUM   # Debian's Chromium, as every browser test starts it
TEST_TOOLS = ['pytest', 'playwright']   # what the browser tests need on top of Colab's packages

def say(message): print(message, flush=True)

def run(cmd, **kw):
    "Run a command (a list, or a string for the shell), echoing it first."
    say(f"\n$ {cmd if isinstance(cmd, str) else ' '.join(map(str, cmd))}")
    return subprocess.run(cmd, cwd=kw.pop('cwd', ROOT), text=True, **kw)

def pip(*args, **kw) -> bool:
    "Run pip; show its output without the lines about package index folders this machine lacks."
    result = run([*args], capture_output=True, **kw)
    noise = re.compile(r"^WARNING: Location '.*' is ignored")
    say('\n'.join(l for l in (result.stdout + result.stderr).splitlines() if not noise.match(l)))
    return result.returncode == 0

def pins() -> dict:
    "The package versions pinned in colab/constraints.txt, by normalised name."
    lines = [l.split('#')[0].strip() for l in CONSTRAINTS.read_text().splitlines()]
    return {normal(name): version for name, version in (l.split('==') for l in lines if l)}

def installed() -> dict:
    "Every package installed in the environment, name -> version."
    code = "import importlib.metadata as m, json; print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
    out = subprocess.run([PY, '-I', '-c', code], capture_output=True, text=True, check=True).stdout   # -I: not the checkout's own metadata
    return {normal(name): version for name, version in json.loads(out).items()}

def venv_env(**extra) -> dict:
    "The environment of a shell in which `pip` and `python` are the Colab environment's."
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'VIRTUAL_ENV', 'NEURALNETS101_MNIST')}
    return {**env, 'PATH': f"{VENV/'bin'}{os.pathsep}{env.get('PATH', '')}", 'VIRTUAL_ENV': str(VENV),
            'PYDEVD_DISABLE_FILE_VALIDATION': '1', **extra}   # ipykernel 6.17's debugger warns about frozen modules otherwise

def ensure_chromium():
    "Install Debian's Chromium with apt-get when it is missing and we may (as root); say so when we cannot."
    if CHROMIUM.exists(): return
    if shutil.which('apt-get') and os.geteuid() == 0:
        run('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', shell=True)
    if not CHROMIUM.exists(): say(f"{CHROMIUM} not found (install Debian's chromium): the browser tests will fail")

def build_env() -> bool:
    "Create the environment with Colab's pins (skipped when it was built from the same constraints file)."
    digest = hashlib.sha256(CONSTRAINTS.read_bytes() + ' '.join(TEST_TOOLS).encode()).hexdigest()
    stamp = VENV/'.constraints-sha256'
    if stamp.exists() and stamp.read_text() == digest and PY.exists():
        say(f"{VENV.name}: up to date with {CONSTRAINTS.relative_to(ROOT)}"); return True
    if VENV.exists(): shutil.rmtree(VENV)
    ok = run([sys.executable, '-m', 'venv', VENV]).returncode == 0
    ok = ok and pip(PY, '-m', 'pip', 'install', '-q', '--upgrade', 'pip')   # Colab's pip is recent; Python 3.11's own rejects git+file:// URLs
    ok = ok and pip(PY, '-m', 'pip', 'install', '-q', '-r', CONSTRAINTS)
    ok = ok and pip(PY, '-m', 'pip', 'install', '-q', *TEST_TOOLS, '-c', CONSTRAINTS)
    if ok: stamp.write_text(digest)
    return ok

def setup_cell_commands(url:str, commit:str) -> list:
    "The commands the notebooks' setup cell runs in Colab, for the course at `url`, version `commit`."
    code = ("import json, sys; from neuralnets101.colab import colab_setup_source, commands_run_by; "
            "print(json.dumps(commands_run_by(colab_setup_source(sys.argv[1], sys.argv[2]), modules={'google.colab': object()})))")
    out = subprocess.run([PY, '-c', code, url, commit], capture_output=True, text=True, env={**venv_env(), 'PYTHONPATH': str(ROOT)}, cwd=ROOT)
    if out.returncode: raise RuntimeError(f"could not read the setup cell: {out.stderr[-2000:]}")
    return json.loads(out.stdout)

def installed_commit() -> str:
    "The commit of the course package installed from git, or '' when it is not installed that way."
    code = ("import importlib.metadata as m, json\n"
            "try: print(json.loads(m.distribution('neuralnets101').read_text('direct_url.json') or '{}').get('vcs_info', {}).get('commit_id', ''))\n"
            "except m.PackageNotFoundError: print('')")
    return subprocess.run([PY, '-I', '-c', code], capture_output=True, text=True).stdout.strip()

def install_course() -> list:
    "Run the setup cell's commands; return the failures (a pip error, any package moved, a stale course)."
    commit = stamped_commit(ROOT/'nbs'/'00_data.ipynb')   # the same in every notebook: 80_colab's test checks that
    if not commit: return ["the setup cell of nbs/00_data.ipynb names no commit: run `make stamp`"]
    if subprocess.run(['git', 'cat-file', '-e', f'{commit}^{{commit}}'], cwd=ROOT).returncode:   # a shallow clone lacks it
        say(f"note: commit {commit[:10]}, which the notebooks install, is not in this clone: installing HEAD instead")
        commit = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    stale = subprocess.run(['git', 'diff', '--stat', commit, 'HEAD', '--', 'neuralnets101', 'pyproject.toml'], cwd=ROOT, capture_output=True, text=True)
    if stale.returncode or stale.stdout.strip():
        return [f"the notebooks install commit {commit[:10]}, whose package differs from HEAD's: commit, then run `make stamp` and commit\n{stale.stdout}{stale.stderr}"]
    if subprocess.run(['git', 'status', '--porcelain', '--untracked-files=no'], cwd=ROOT, capture_output=True, text=True).stdout.strip():
        say(f"note: the working tree has uncommitted changes; the setup cell installs the committed {commit[:10]}")
    before, commit_before = installed(), installed_commit()
    problems = []
    for command in setup_cell_commands(f"file://{ROOT}", commit):
        if not command.startswith('pip '): say(f"(Colab only, not run here: {command})"); continue
        if not pip(command, shell=True, env=venv_env()): problems.append(f"the setup cell's `{command}` failed")
    after = installed()
    moved = {name: (before.get(name), after.get(name)) for name in before if name != 'neuralnets101' and before.get(name) != after.get(name)}
    for name, (old, new) in moved.items(): problems.append(f"the setup cell changed {name}: {old} -> {new or 'removed'}")
    added = sorted(f"{n}=={v}" for n, v in after.items() if n not in before)
    say(f"pip freeze before and after the setup cell: added {', '.join(added) or 'nothing'}; "
        f"changed {', '.join(f'{n} {o} -> {v}' for n, (o, v) in moved.items()) or 'nothing'}")
    commit_after = installed_commit()
    say(f"course installed at commit {commit_after[:10] or '?'} (before: {commit_before[:10] or 'not installed'}; the notebooks name {commit[:10]})")
    if commit_after != commit: problems.append(f"the installed course is at {commit_after or 'no commit'}, not at {commit}, which the notebooks name")
    return problems

RUN_NOTEBOOK = """
import sys, nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
try: NotebookClient(nb, timeout=600, kernel_name='python3', resources={'metadata': {'path': sys.argv[2]}}).execute()
finally: nbformat.write(nb, path)
"""

def run_notebooks(scratch:Path) -> tuple:
    "Run each lesson notebook alone in an empty folder with an empty fastai data folder; return (passed, failed)."
    notebooks = lesson_paths() + [ROOT/'nbs'/f'{name}.ipynb' for name in COLAB_TOO]
    env = venv_env(FASTAI_HOME=str(scratch/'fastai'), JUPYTER_DATA_DIR=str(scratch/'jupyter-data'),
                   JUPYTER_CONFIG_DIR=str(scratch/'jupyter-config'), MPLBACKEND='module://matplotlib_inline.backend_inline')
    passed = failed = 0
    for notebook in notebooks:
        folder = scratch/'notebooks'/notebook.stem
        folder.mkdir(parents=True)
        copy = Path(shutil.copy(notebook, folder))
        start = time.time()
        say(f"\nrunning {notebook.name} alone in an empty folder")
        result = subprocess.run([PY, '-c', RUN_NOTEBOOK, copy, folder], env=env, cwd=folder, capture_output=True, text=True)
        noise = [w for w in warnings_shown(json.loads(copy.read_text())['cells']) if 'MnistSubsetWarning' not in w]   # not the offline notice
        if result.returncode == 0 and noise:
            failed += 1
            say(f"FAILED: {notebook.name} shows a warning from a dependency:\n" + '\n'.join(w.strip()[:400] for w in noise))
        elif result.returncode == 0: passed += 1; say(f"ok: {notebook.name} ({time.time() - start:.0f} s)")
        else:
            failed += 1
            error = re.sub(r'\x1b\[[0-9;]*m', '', result.stderr)
            at = error.find('An error occurred while executing')
            say(f"FAILED: {notebook.name} ({time.time() - start:.0f} s)\n{error[at:at + 3000] if at >= 0 else error[-3000:]}")
            shutil.copy(copy, ARTIFACTS/f"failed-{notebook.name}")
    return passed, failed

def run_browser_tests(scratch:Path) -> tuple:
    "Run tests/colab/ with the Colab environment's pytest; return (passed, failed)."
    env = venv_env(NEURALNETS101_COLAB_PYTHON=str(PY), NEURALNETS101_COLAB_ARTIFACTS=str(ARTIFACTS), FASTAI_HOME=str(scratch/'fastai'))
    result = run([PY, '-m', 'pytest', 'tests/colab', '-q', '-rs', '-p', 'no:cacheprovider'], env=env, capture_output=True)
    say(result.stdout); say(result.stderr)
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ''
    count = lambda word: sum(int(n) for n in re.findall(rf'(\d+) {word}', last))
    passed, failed = count('passed'), count('failed') + count('error')
    if result.returncode not in (0, 5) and failed == 0: failed = 1
    return passed, failed

def main():
    start = time.time()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ensure_chromium()
    passed = failed = 0
    def record(ok, what):
        nonlocal passed, failed
        if ok: passed += 1; say(f"ok: {what}")
        else: failed += 1; say(f"FAILED: {what}")
        return ok
    if not record(build_env(), f"{VENV.name} built with Colab's pins"):
        say(f"\ntest-colab took {time.time() - start:.0f} s\n{passed} passed, {failed + 1} failed"); sys.exit(1)
    problems = install_course()
    for problem in problems: say(f"  {problem}")
    pins_check = run([sys.executable, ROOT/'tools'/'colab_pins.py', '--check', '--python', PY])
    record(pins_check.returncode == 0, "every package of the course's dependency closure that Colab has is pinned at Colab's version")
    if record(not problems, "setup cell installs the course and changes no other package"):
        with tempfile.TemporaryDirectory(prefix='neuralnets101-colab-') as scratch:
            for counts in (run_notebooks(Path(scratch)), run_browser_tests(Path(scratch))):
                passed += counts[0]; failed += counts[1]
    versions = installed()
    say(f"\nenvironment: Python {subprocess.run([PY, '-c', 'import sys; print(sys.version.split()[0])'], capture_output=True, text=True).stdout.strip()}, "
        + ', '.join(f"{name} {versions.get(name, '-')}" for name in pins()))
    say(f"test-colab took {time.time() - start:.0f} s")
    say(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)

if __name__ == '__main__': main()
