"""The course as a distributable package: `python -m build` makes an sdist and a wheel (from the sdist) that pass
`twine check`, and the wheel, installed into a fresh environment, imports every module and runs chapter 0's helpers
on the offline subset."""
import json, os, subprocess, sys, textwrap, zipfile
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

@pytest.fixture(scope='module')
def dist(tmp_path_factory) -> Path:
    "A folder with the course's sdist and wheel, built from a copy of the committed-or-not working tree."
    out = tmp_path_factory.mktemp('dist')
    result = subprocess.run([sys.executable, '-m', 'build', '--no-isolation', '--outdir', out, ROOT], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out

def test_build_makes_an_sdist_and_a_wheel_that_pass_twine_check(dist):
    files = sorted(p.name for p in dist.iterdir())
    assert [f for f in files if f.endswith('.whl')] and [f for f in files if f.endswith('.tar.gz')], files
    result = subprocess.run([BIN/'twine', 'check', '--strict', *dist.iterdir()], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.count('PASSED') == 2, result.stdout + result.stderr

def test_wheel_holds_every_module_and_nothing_else(dist):
    wheel = next(dist.glob('*.whl'))
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {f'neuralnets101/{p.name}' for p in (ROOT/'neuralnets101').glob('*.py')}
    assert modules <= names, modules - names
    assert not [n for n in names if n.startswith(('nbs/', 'tests/', 'tools/'))]

FRESH_RUN = textwrap.dedent('''
    import importlib, json, pkgutil, sys
    import matplotlib; matplotlib.use('Agg')
    import neuralnets101
    modules = sorted(m.name for m in pkgutil.iter_modules(neuralnets101.__path__))
    for name in modules: importlib.import_module(f'neuralnets101.{name}')
    from neuralnets101.data import mnist_path, digit_stack, show_digits
    path = mnist_path()
    threes = digit_stack(path, 3)
    show_digits(threes[:8])
    print(json.dumps(dict(file=neuralnets101.__file__, modules=modules, threes=list(threes.shape),
                          lo=float(threes.min()), hi=float(threes.max()), folders=sorted(p.name for p in path.iterdir()))))
''')

def test_wheel_works_in_a_fresh_environment(dist, tmp_path):
    env_dir = tmp_path/'env'
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', env_dir], check=True)
    python = env_dir/'bin'/'python'
    wheel = next(dist.glob('*.whl'))
    install = subprocess.run([sys.executable, '-m', 'pip', '--python', python, 'install', '-q', '--no-deps', '--no-index', wheel],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stdout + install.stderr
    # The wheel's dependencies (torch, fastai, ...) are read from this environment's site-packages: a path line in a .pth
    # file adds the folder without running its own .pth files, so this checkout's editable install stays out.
    site = subprocess.run([python, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], capture_output=True, text=True).stdout.strip()
    deps = subprocess.run([sys.executable, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], capture_output=True, text=True).stdout.strip()
    Path(site, 'course-dependencies.pth').write_text(deps + '\n')
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'NEURALNETS101_MNIST')}
    env.update(NEURALNETS101_OFFLINE='1', FASTAI_HOME=str(tmp_path/'fastai'), NEURALNETS101_CACHE=str(tmp_path/'cache'), MPLBACKEND='Agg')
    result = subprocess.run([python, '-c', FRESH_RUN], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report['file'].startswith(str(env_dir)), report['file']   # the wheel's copy, not this checkout's
    assert set(report['modules']) >= {p.stem for p in (ROOT/'neuralnets101').glob('[!_]*.py')}
    assert report['threes'] == [400, 28, 28] and report['lo'] == 0 and report['hi'] == 1, report
    assert report['folders'] == ['testing', 'training']

def test_colab_pins_are_generated_from_colabs_list():
    "colab/constraints.txt is what tools/colab_pins.py writes, and pins the versions the issue of Colab's list gives."
    sys.path.insert(0, str(ROOT/'tools'))
    from colab_pins import CONSTRAINTS, colab_versions, constraints_text, listed_names, course_requirements, normal
    text = CONSTRAINTS.read_text()
    assert text == constraints_text(listed_names(text)), "colab/constraints.txt was edited by hand or is stale: run `make colab-pins`"
    pins = dict(l.split('==') for l in text.splitlines() if '==' in l and not l.startswith('#'))
    for name, version in [('anywidget', '0.9.21'), ('traitlets', '5.7.1'), ('ipython', '7.34.0'), ('psygnal', '0.15.1'),
                          ('scipy', '1.16.3'), ('pandas', '2.2.3'), ('fastai', '2.8.8'), ('ipywidgets', '7.7.1'), ('notebook', '6.5.7')]:
        assert pins.get(name) == version == colab_versions()[name], (name, pins.get(name))
    missing = [n for n in map(normal, course_requirements()) if n in colab_versions() and n not in pins]
    assert not missing, f"the course needs {missing}, which Colab has, but colab/constraints.txt does not pin them: run `make colab-pins`"

def test_colab_pins_say_what_differs_from_colab():
    text = (ROOT/'colab'/'constraints.txt').read_text()
    assert 'torch==2.14.1' in text and 'torch 2.14.1, ' in text and '2.11.0+cpu' in text
    assert 'Python 3.11 here (Colab: 3.13)' in text
