"""The project's test command (`make test`): notebooks clean, package in sync, saved outputs fine, every notebook
and pytest test run.

It never changes the working tree: cleanliness and export sync are checked on a temporary copy. Every notebook
runs with nbdev-test (two at a time) and counts by its exit code; pytest counts come from its JUnit XML report.
Runs offline (NEURALNETS101_OFFLINE=1, no download attempt) unless NEURALNETS101_ONLINE=1, so the same commit tests the
same data on every machine. Prints `N passed, N failed` as its last line and exits non-zero when anything failed. Arguments are passed on
to pytest, e.g. `python tools/run_tests.py --deselect tests/test_lab_command.py`."""
import filecmp, os, shutil, subprocess, sys, tempfile, time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT/'tools'))
from check_outputs import check_notebook
from course import notebooks, unlisted

def _differences(ours:Path, theirs:Path, pattern:str) -> list:
    "Files matching `pattern` that differ between the folders `ours` and `theirs` (or exist in only one)."
    names = {p.relative_to(folder) for folder in (ours, theirs) for p in folder.glob(pattern)}
    names = {n for n in names if not any(part.startswith('.') or part == '__pycache__' for part in n.parts)}
    return sorted(str(n) for n in names if not ((ours/n).exists() and (theirs/n).exists() and filecmp.cmp(ours/n, theirs/n, shallow=False)))

def check_clean_and_exported() -> list:
    "Run nbdev-clean and nbdev-export on a temporary copy of the project; return one (name, ok) per check."
    with tempfile.TemporaryDirectory(prefix='neuralnets101-check-') as tmp:
        copy = Path(tmp)
        shutil.copy2(ROOT/'pyproject.toml', copy)
        for folder in ('nbs', 'neuralnets101'): shutil.copytree(ROOT/folder, copy/folder, ignore=shutil.ignore_patterns('__pycache__', '.ipynb_checkpoints'))
        results = []
        for name, cmd, pattern, what in [
                ('notebooks clean', [BIN/'nbdev-clean'], 'nbs/**/*.ipynb', 'not clean (nbdev-clean would change them)'),
                ('package in sync', [BIN/'nbdev-export'], 'neuralnets101/**/*.py', 'out of sync with the notebooks (nbdev-export would change them)')]:
            print(f"\n$ {cmd[0].name}   (on a copy of the project)", flush=True)
            result = subprocess.run(cmd, cwd=copy, capture_output=True, text=True)
            diff = _differences(ROOT, copy, pattern)
            if result.returncode != 0: print(f"FAILED: {cmd[0].name} exited {result.returncode}\n{result.stdout}{result.stderr}")
            elif diff: print(f"FAILED: {', '.join(diff)} {what}: run `make clean-nbs` and commit")
            else: print("ok")
            results.append((name, result.returncode == 0 and not diff))
    return results

def check_saved_outputs() -> list:
    "Check the saved outputs of every notebook; return one (name, ok) per notebook."
    print("\n$ tools/check_outputs.py   (saved outputs: no error, no absolute path, at most 1.5 MB, lessons show pictures)", flush=True)
    results = []
    for nb in notebooks():
        problems = check_notebook(nb)
        for p in problems: print(f"FAILED: {p}")
        results.append((f"outputs of {nb.name}", not problems))
    if all(ok for _, ok in results): print("ok")
    return results

def _test_notebook(nb:Path):
    start = time.time()
    result = subprocess.run([BIN/'nbdev-test', str(nb.relative_to(ROOT))], cwd=ROOT, capture_output=True, text=True)
    return nb, result, time.time() - start

def run_notebooks() -> list:
    "Run every notebook with nbdev-test, two at a time; return one (name, ok) per notebook, judged by exit code."
    print(f"\n$ nbdev-test NOTEBOOK   (each notebook, two at a time)", flush=True)
    results = []
    with ThreadPoolExecutor(2) as pool:
        for nb, result, seconds in pool.map(_test_notebook, notebooks()):
            ok = result.returncode == 0
            print(f"{'ok    ' if ok else 'FAILED'} {nb.name} ({seconds:.0f} s)", flush=True)
            if not ok: print(result.stdout[-3000:], result.stderr[-6000:], sep='\n')
            results.append((nb.name, ok))
    return results

def run_pytest(args=()) -> list:
    "Run the pytest tests; return one (name, ok) per test case, read from pytest's JUnit XML report."
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp)/'pytest.xml'
        cmd = [BIN/'python', '-m', 'pytest', 'tests', '-q', '-rs', f'--junitxml={report}', '-p', 'no:cacheprovider', *args]
        print(f"\n$ python -m pytest tests -q -rs {' '.join(args)}", flush=True)
        result = subprocess.run(cmd, cwd=ROOT)
        cases = ET.parse(report).getroot().iter('testcase') if report.exists() else []
        results = [(f"{c.get('classname')}.{c.get('name')}", c.find('failure') is None and c.find('error') is None)
                   for c in cases if c.find('skipped') is None]
    if result.returncode not in (0, 5) and all(ok for _, ok in results):
        print(f"FAILED: pytest exited {result.returncode}"); results.append(('pytest', False))
    return results

def check_lessons_listed() -> list:
    "Every lesson-numbered notebook is in tools/course.py's list, and every listed lesson exists."
    print("\n$ tools/course.py   (every lesson listed once)", flush=True)
    missing = unlisted()
    print(f"FAILED: {', '.join(missing)}: add the lesson to LESSONS in tools/course.py (see CONTRIBUTING.md)" if missing else "ok")
    return [('lessons listed in tools/course.py', not missing)]

def choose_data():
    "The same data on every machine: the offline subset, unless NEURALNETS101_MNIST names full MNIST or NEURALNETS101_ONLINE=1."
    if os.environ.get('NEURALNETS101_ONLINE') != '1': os.environ.setdefault('NEURALNETS101_OFFLINE', '1')
    source = (f"full MNIST from {os.environ['NEURALNETS101_MNIST']}" if os.environ.get('NEURALNETS101_MNIST') else
              "MNIST from fastai's data folder, or the offline subset (no download)" if os.environ.get('NEURALNETS101_OFFLINE') else
              "MNIST from fastai's data folder or a download, else the offline subset")
    print(f"data: {source}", flush=True)

def main():
    start = time.time()
    choose_data()
    results = check_lessons_listed() + check_clean_and_exported() + check_saved_outputs() + run_notebooks() + run_pytest(sys.argv[1:])
    failed = [name for name, ok in results if not ok]
    if failed: print("\nfailed: " + ", ".join(failed))
    print(f"\ntest command took {time.time() - start:.0f} s")
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)

if __name__ == '__main__': main()
