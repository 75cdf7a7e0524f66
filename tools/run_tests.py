"""The project's test command (`make test`): notebooks clean, package in sync, every notebook and pytest test run.

Prints `N passed, N failed` as its last line and exits non-zero when anything failed."""
import hashlib, re, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

def snapshot(pattern):
    "Content hashes of the files matching `pattern` under the project root."
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(ROOT.glob(pattern))}

def changed(before, after): return sorted(str(p.relative_to(ROOT)) for p in set(before) | set(after) if before.get(p) != after.get(p))

def run(cmd, **kw):
    print(f"\n$ {' '.join(map(str, cmd))}", flush=True)
    return subprocess.run(cmd, cwd=ROOT, text=True, **kw)

def check_unchanged(cmd, pattern, message):
    "Run `cmd` and fail with `message` if it changed any file matching `pattern`."
    before = snapshot(pattern)
    result = run(cmd)
    diff = changed(before, snapshot(pattern))
    if result.returncode != 0: print(f"FAILED: {cmd[0]} exited {result.returncode}"); return False
    if diff: print(f"FAILED: {message}: {', '.join(diff)} (run `make clean-nbs` and commit)"); return False
    print("ok"); return True

def run_notebooks():
    "Run every notebook with nbdev-test; return (passed, failed) counts."
    notebooks = sorted((ROOT/'nbs').glob('[!_.]*.ipynb'))
    result = run([BIN/'nbdev-test', 'nbs', '--timing', '--do-print'], capture_output=True)
    print(result.stdout); print(result.stderr, file=sys.stderr)
    if result.returncode == 0: return len(notebooks), 0
    failed = re.findall(r'^\t(\S+\.ipynb)$', result.stderr, re.M)
    if not failed: return 0, len(notebooks)
    return len(notebooks) - len(failed), len(failed)

def run_pytest():
    "Run the plain pytest tests; return (passed, failed) counts."
    result = run([BIN/'python', '-m', 'pytest', 'tests', '-q', '-rs'], capture_output=True)
    print(result.stdout); print(result.stderr, file=sys.stderr)
    if result.returncode == 5: return 0, 0   # no tests collected
    count = lambda word: sum(int(n) for n in re.findall(rf'(\d+) {word}', result.stdout.splitlines()[-1] if result.stdout else ''))
    passed, failed = count('passed'), count('failed') + count('error')
    if result.returncode != 0 and failed == 0: failed = 1
    return passed, failed

def main():
    start = time.time()
    checks = [check_unchanged([BIN/'nbdev-clean'], 'nbs/**/*.ipynb', 'notebooks not clean'),
              check_unchanged([BIN/'nbdev-export'], 'neuralnets101/**/*.py', 'package out of sync with notebooks')]
    passed, failed = sum(checks), len(checks) - sum(checks)
    for counts in (run_notebooks(), run_pytest()):
        passed += counts[0]; failed += counts[1]
    print(f"\ntest command took {time.time() - start:.0f} s")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)

if __name__ == '__main__': main()
