"""Tests of neuralnets101.colab: the setup cell's text and what it runs in and out of Colab, the commit it installs
(read from a real git history), and stamping the badge and the setup cell into notebooks (on copies of the course's
notebooks in a temporary folder: the course's own files are never written)."""
import json, shutil, subprocess
from pathlib import Path
import pytest
from fastcore.test import test_eq as check_eq, test_fail as check_fail
from neuralnets101.colab import (repo_url, colab_setup_source, commands_run_by, colab_badge, stamp_notebook, notebook_is_stamped,
                                 package_commit, stamped_commit)

ROOT = Path(__file__).resolve().parents[1]
URL = 'https://github.com/someone/course'
COMMIT = '0123456789abcdef0123456789abcdef01234567'
OTHER = 'fedcba9876543210fedcba9876543210fedcba98'

def test_setup_source_installs_the_commit_in_colab_only():
    source = colab_setup_source(URL, COMMIT)
    package = f'"neuralnets101 @ git+{URL}@{COMMIT}"'
    check_eq(commands_run_by(source, modules={'google.colab': object()}),
             [f'pip install -q --upgrade-strategy only-if-needed {package}', f'pip install -q --force-reinstall --no-deps {package}',
              'output.enable_custom_widget_manager()'])
    check_eq(commands_run_by(source, environ={'COLAB_RELEASE_TAG': 'release-colab_20250101'})[-1], 'output.enable_custom_widget_manager()')
    check_eq(commands_run_by(source), [])                               # JupyterLab, the classic Notebook: nothing runs
    assert source.startswith('# Setup: in Google Colab'), source

def test_setup_source_without_a_commit_installs_the_newest():
    source = colab_setup_source(URL)
    assert f'"neuralnets101 @ git+{URL}"' in source and '@' + COMMIT not in source, source
    assert f'git+{repo_url()}' in colab_setup_source(commit=COMMIT)      # the repository named in pyproject.toml by default

def test_setup_source_wants_a_full_commit_hash():
    check_fail(lambda: colab_setup_source(URL, 'main'), contains="expected a full 40-digit commit hash, got 'main'")
    check_fail(lambda: colab_setup_source(URL, COMMIT[:7]), contains=f"got '{COMMIT[:7]}'")
    check_fail(lambda: colab_setup_source(URL, COMMIT.upper()), contains='40-digit commit hash')

def git(folder, *args) -> str:
    result = subprocess.run(['git', '-c', 'user.name=test', '-c', 'user.email=test@example.com', *args], cwd=folder,
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()

def commit_file(folder:Path, name:str, text:str) -> str:
    (folder/name).parent.mkdir(parents=True, exist_ok=True)
    (folder/name).write_text(text)
    git(folder, 'add', name); git(folder, 'commit', '-q', '-m', f'change {name}')
    return git(folder, 'rev-parse', 'HEAD')

def test_package_commit_is_the_last_commit_that_changed_the_package(tmp_path):
    git(tmp_path, 'init', '-q')
    first = commit_file(tmp_path, 'neuralnets101/core.py', 'x = 1\n')
    commit_file(tmp_path, 'nbs/00_data.ipynb', '{}\n')                 # a notebook: the package did not change
    check_eq(package_commit(tmp_path), first)
    check_eq(package_commit(tmp_path/'nbs'), first)                      # from a folder inside the clone too
    second = commit_file(tmp_path, 'pyproject.toml', '[project]\n')      # its dependencies are part of it
    check_eq(package_commit(tmp_path), second)
    assert len(second) == 40 and second != first

def test_package_commit_outside_a_clone_says_so(tmp_path):
    check_fail(lambda: package_commit(tmp_path), contains=f'no git history of the course package in {tmp_path}')
    git(tmp_path, 'init', '-q')
    commit_file(tmp_path, 'README.md', 'no package here\n')
    check_fail(lambda: package_commit(tmp_path), contains='no git history of the course package')

def copy_of(notebook:str, folder:Path) -> Path:
    (folder/'nbs').mkdir(exist_ok=True)
    return Path(shutil.copy(ROOT/'nbs'/notebook, folder/'nbs'/notebook))

def cells(path:Path) -> list: return json.loads(path.read_text())['cells']

def test_stamped_commit_reads_the_setup_cell(tmp_path):
    path = copy_of('03_sgd.ipynb', tmp_path)
    commit = stamped_commit(path)
    assert len(commit) == 40 and commit in ''.join(cells(path)[2]['source']), commit
    stamp_notebook(path, OTHER)
    check_eq(stamped_commit(path), OTHER)
    nb = json.loads(path.read_text()); del nb['cells'][1:3]
    path.write_text(json.dumps(nb))
    check_eq(stamped_commit(path), '')                                   # no setup cell: no commit

def test_restamping_changes_only_the_setup_cell(tmp_path):
    path = copy_of('02_gradients.ipynb', tmp_path)
    before = cells(path)
    assert stamp_notebook(path, OTHER) is True
    after = cells(path)
    check_eq(len(after), len(before))
    check_eq([c.get('id') for c in after], [c.get('id') for c in before])          # ids kept: the diff is the new text only
    check_eq([c for i, c in enumerate(after) if i != 2], [c for i, c in enumerate(before) if i != 2])
    check_eq(''.join(after[2]['source']), colab_setup_source(commit=OTHER))
    check_eq(''.join(after[1]['source']), colab_badge('02_gradients.ipynb'))
    assert notebook_is_stamped(path, OTHER) and not notebook_is_stamped(path, COMMIT)
    text = path.read_text()
    assert stamp_notebook(path, OTHER) is False and path.read_text() == text       # stamped already: the file is not rewritten

def test_stamping_a_new_notebook_adds_the_badge_and_the_setup_cell(tmp_path):
    path = tmp_path/'nbs'/'09_new.ipynb'; path.parent.mkdir()
    title = dict(cell_type='markdown', metadata={}, source=['# A new chapter'])
    body = dict(cell_type='code', execution_count=None, metadata={}, outputs=[], source=['1 + 1'])
    path.write_text(json.dumps(dict(cells=[title, body], metadata={}, nbformat=4, nbformat_minor=5)))
    assert stamp_notebook(path, COMMIT)
    stamped = cells(path)
    check_eq([''.join(c['source']) for c in stamped], ['# A new chapter', colab_badge('09_new.ipynb'), colab_setup_source(commit=COMMIT), '1 + 1'])
    check_eq([c['cell_type'] for c in stamped], ['markdown', 'markdown', 'code', 'code'])
    check_eq((stamped[2]['outputs'], stamped[2]['execution_count']), ([], None))
    check_eq(stamped_commit(path), COMMIT)

def test_stamping_wants_a_title_first(tmp_path):
    path = tmp_path/'nbs'/'untitled.ipynb'; path.parent.mkdir()
    original = json.dumps(dict(cells=[dict(cell_type='code', execution_count=None, metadata={}, outputs=[], source=['1 + 1'])],
                               metadata={}, nbformat=4, nbformat_minor=5))
    path.write_text(original)
    check_fail(lambda: stamp_notebook(path, COMMIT), contains='expected a markdown title as the first cell')
    check_eq(path.read_text(), original)                                 # nothing half-written
