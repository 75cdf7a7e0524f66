"""Write `colab/constraints.txt` from Google Colab's package list (`make colab-pins`), or check it (`--check`).

    python tools/colab_pins.py [--python PYTHON]           # write colab/constraints.txt
    python tools/colab_pins.py --check [--python PYTHON]   # exit 1 if the file is stale or misses a package

The pins are every package of the course's dependency closure that Colab's list (`colab/colab-pip-freeze.txt`)
has, at Colab's version. The closure is read from an installed environment (`--python`, default: the Colab test
environment `.venv-colab` when it exists, else the Python running this script): the course's requirements
(pyproject.toml) and `TEST_ROOTS`, and what they need, recursively, as that environment's metadata says. Where Colab's version cannot be installed here, `REPLACED` says
what is used instead and why; the file lists those, and the closure's packages that Colab does not have.
Uses only the standard library (and `packaging`, from the environment that is read), so any Python can run it.
The needs of a replaced package are not followed: they are that release's own (torch 2.14.1's CUDA libraries,
for one), not Colab's."""
import json, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FREEZE = ROOT/'colab'/'colab-pip-freeze.txt'
CONSTRAINTS = ROOT/'colab'/'constraints.txt'
SOURCE = "googlecolab/backend-info, pip-freeze.txt at commit a724079 of 2026-08-19 (CPU runtime, Python 3.13)"
TEST_ROOTS = ['notebook', 'ipykernel', 'nbclient', 'pytest', 'playwright']   # what `make test-colab` runs the course with

def course_requirements() -> list:
    "The names of the course's own dependencies, from `[project] dependencies` in pyproject.toml."
    block = re.search(r'^dependencies = \[(.*?)^\]', (ROOT/'pyproject.toml').read_text(), re.S | re.M)[1]
    return [re.match(r'[A-Za-z0-9_.-]+', q)[0] for q in re.findall(r'"([^"]+)"', block)]
REPLACED = {   # Colab's version cannot be installed here: what is used instead, and why
    'torch': ('2.14.1', "Colab's is a CPU wheel for Python 3.13 from PyTorch's own index (2.11.0+cpu); this machine's wheel store has 2.14.1"),
    'torchvision': ('0.29.1', "likewise (Colab: 0.26.0+cpu); 0.29.1 is the release that goes with torch 2.14.1"),
    'setuptools': ('77.0.3', "Colab has 75.2.0, but torch 2.14.1 needs setuptools>=77.0.3 (Colab's torch 2.11 did not)"),
}

def normal(name:str) -> str: return re.sub(r'[-_.]+', '-', name).lower()

def colab_versions(text:str=None) -> dict:
    "Colab's packages, normalised name -> version ('' for those installed from a URL, whose version the list does not give)."
    versions = {}
    for line in (FREEZE.read_text() if text is None else text).splitlines():
        line = line.split('#')[0].strip() if not line.lstrip().startswith('#') else ''
        if '==' in line: name, version = line.split('==', 1); versions[normal(name)] = version.strip()
        elif ' @ ' in line: versions[normal(line.split(' @ ')[0])] = ''
    return versions

CLOSURE = r"""
import json, sys, importlib.metadata as md
try: from packaging.requirements import Requirement
except ImportError: from pip._vendor.packaging.requirements import Requirement
norm = lambda n: n.replace('_', '-').replace('.', '-').lower()
roots, stop = sys.argv[1].split(','), set(sys.argv[2].split(','))   # stop: packages whose own needs are not followed
seen, todo, missing = {}, [(r, None) for r in roots], []
while todo:
    name, wanted_by = todo.pop()
    if norm(name) in seen: continue
    try: dist = md.distribution(name)
    except md.PackageNotFoundError:
        if wanted_by: missing.append(f"{name} (needed by {wanted_by})")
        continue
    seen[norm(name)] = dist.version
    if norm(name) in stop: continue
    for text in dist.requires or []:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({'extra': ''}): todo.append((req.name, name))
print(json.dumps({'closure': seen, 'missing': missing}))
"""

def default_python() -> str:
    colab = ROOT/'.venv-colab'/'bin'/'python'
    return str(colab) if colab.exists() else sys.executable

def closure(python:str) -> dict:
    "The dependency closure of the course's requirements and `TEST_ROOTS`, as installed for `python`: normalised name -> version."
    roots = course_requirements() + TEST_ROOTS
    out = subprocess.run([python, '-I', '-c', CLOSURE, ','.join(roots), ','.join(REPLACED)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)['closure']

def constraints_text(names, colab:dict=None) -> str:
    "The text of colab/constraints.txt for the closure `names`."
    colab = colab_versions() if colab is None else colab
    pinned = sorted(n for n in names if n in colab and n != 'neuralnets101')
    absent = sorted(n for n in names if n not in colab and n != 'neuralnets101')
    lines = ["# Google Colab's package versions for every package the course installs, from Colab's public package list",
             f"# ({SOURCE}; copied to colab/colab-pip-freeze.txt).",
             "# Generated by tools/colab_pins.py (`make colab-pins`): do not edit. `make test-colab` installs these pins, then the",
             "# course exactly as the notebooks' setup cell does, and fails if pip moves any of them.",
             "# Not as in Colab: Python 3.11 here (Colab: 3.13)."]
    lines += [f"# Not as in Colab: {n} {v}, {why}." for n, (v, why) in REPLACED.items() if n in pinned]
    if absent: lines += ["# Installed here but not in Colab's list (left free): " + ', '.join(absent) + "."]
    lines += [f"{n}=={REPLACED[n][0] if n in REPLACED else colab[n]}" for n in pinned]
    return '\n'.join(lines) + '\n'

def listed_names(text:str) -> set:
    "The packages a constraints file names: pinned ones and those listed as not in Colab's list."
    names = {normal(l.split('==')[0]) for l in text.splitlines() if '==' in l and not l.startswith('#')}
    for l in text.splitlines():
        if l.startswith("# Installed here but not in Colab's list"): names |= {normal(n.strip()) for n in l.split(':', 1)[1].strip().rstrip('.').split(', ')}
    return names

def problems(python:str) -> list:
    "Why colab/constraints.txt is stale for the environment of `python` (empty when it is current)."
    text, colab, found = CONSTRAINTS.read_text(), colab_versions(), closure(python)
    out = [f"{n} {found[n]} is in the course's dependency closure and in Colab's list ({colab[n] or 'a URL'}) but not pinned"
           for n in sorted(found) if n in colab and n != 'neuralnets101' and n not in listed_names(text)]
    if text != constraints_text(listed_names(text), colab): out.append("colab/constraints.txt differs from what tools/colab_pins.py generates: run `make colab-pins`")
    return out

def main(args):
    python = args[args.index('--python') + 1] if '--python' in args else default_python()
    if '--check' in args:
        found = problems(python)
        for p in found: print(f"colab pins: {p}")
        print(f"colab pins: {'stale' if found else 'current'} for the environment of {python}")
        return 1 if found else 0
    names = set(closure(python))
    if CONSTRAINTS.exists() and not python.endswith(str(Path('.venv-colab')/'bin'/'python')):
        names |= listed_names(CONSTRAINTS.read_text())   # another environment's closure adds to what is there
    CONSTRAINTS.write_text(constraints_text(names))
    print(f"wrote {CONSTRAINTS.relative_to(ROOT)}: {sum(1 for l in CONSTRAINTS.read_text().splitlines() if '==' in l and not l.startswith('#'))} pins, from the closure in {python}")
    return 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
