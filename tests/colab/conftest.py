"""Fixtures for browser tests in the classic Notebook 6.5.7 with Colab's package versions (run by `make test-colab`).

These tests run with the Python of the Colab environment (`.venv-colab`, built by tools/test_colab.py), which
sets NEURALNETS101_COLAB_PYTHON; `make test` does not collect them (see tests/conftest.py).

Fixtures:
- `classic_notebook`: a classic Notebook server of that environment on 127.0.0.1, serving a temporary copy of nbs/,
  with empty Jupyter config, data and runtime folders; yields a dict with `base` (URL), `token`, `root` (the copy:
  add notebooks there before opening them) and `url(name)` (the address that opens a notebook). The kernel is the
  environment's own, with the course as the setup cell installed it (not the source tree).
- `browser_page`: a Playwright page in Debian's headless Chromium; every console error is collected in
  `page.console_errors` and written to the artifacts folder when the test ends.
- `artifacts`: the folder for screenshots (test-artifacts/colab/ unless NEURALNETS101_COLAB_ARTIFACTS says otherwise).
Helpers (in tests/colab/classic.py): `open_and_run_all(page, url)` opens a notebook, runs every cell from the Cell menu and waits until the
kernel is idle; `output_errors(page)` lists the error outputs on the page.

Example (a drawing-pad test would look the same):
    from classic import open_and_run_all
    def test_pad(classic_notebook, browser_page):
        open_and_run_all(browser_page, classic_notebook['url']('83_draw.ipynb'))
        ...
"""
import os, shutil, sys
from pathlib import Path
import pytest

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
sys.path.append(str(TESTS))   # for explorer_check and browser
import browser as servers   # the Jupyter servers and Chromium, shared with the main environment's browser tests

COLAB_PYTHON = os.environ.get('NEURALNETS101_COLAB_PYTHON')

@pytest.fixture(scope='session')
def artifacts() -> Path:
    folder = Path(os.environ.get('NEURALNETS101_COLAB_ARTIFACTS', ROOT/'test-artifacts'/'colab'))
    folder.mkdir(parents=True, exist_ok=True)
    return folder

@pytest.fixture(scope='session')
def classic_notebook(tmp_path_factory):
    "The Colab environment's classic Notebook 6.5.7 on localhost, serving a temporary copy of nbs/."
    if not COLAB_PYTHON: pytest.fail("NEURALNETS101_COLAB_PYTHON is not set: run these tests with `make test-colab`")
    tmp = tmp_path_factory.mktemp('classic')
    root, state = tmp/'nbs', tmp/'state'
    shutil.copytree(ROOT/'nbs', root, ignore=shutil.ignore_patterns('.ipynb_checkpoints'))
    state.mkdir()
    port, token = servers.free_port(), 'neuralnets101-colab-token'
    env = servers.fresh_jupyter_env(state)
    env.pop('PYTHONPATH', None)
    env['PATH'] = f"{Path(COLAB_PYTHON).parent}{os.pathsep}{env.get('PATH', '')}"
    cmd = [COLAB_PYTHON, '-m', 'notebook', '--no-browser', f'--port={port}', '--ip=127.0.0.1', f'--NotebookApp.token={token}',
           f'--NotebookApp.notebook_dir={root}', '--allow-root']
    base = f'http://127.0.0.1:{port}'
    with servers.running_server(cmd, env, f'{base}/api/status?token={token}', tmp/'notebook.log'):
        yield dict(base=base, token=token, root=root, url=lambda name: f"{base}/notebooks/{name}?token={token}")

@pytest.fixture
def browser_page(artifacts, request):
    "A page in headless Chromium (1400x1000) that records console errors."
    with servers.chromium_page(1400, 1000) as page:
        page.console_errors = []
        page.on('console', lambda m: page.console_errors.append(m.text) if m.type == 'error' else None)
        page.on('pageerror', lambda e: page.console_errors.append(str(e)))
        yield page
        (artifacts/f"{request.node.name}_console.txt").write_text('\n'.join(page.console_errors))
