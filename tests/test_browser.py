"""Real-browser test: JupyterLab 4 (ipywidgets 8) + Debian's Chromium driven by Playwright.

Opens chapters 2 and 3 in a fresh JupyterLab, runs all cells, moves every slider of every explorer with the keyboard
and checks (tests/explorer_check.py) that the summary names the new value, that no error shows, and that the picture
changed. A copy of chapter 2 with a planted broken slider must fail that check. Screenshots go to
test-artifacts/browser/. The same checks in the classic Notebook with Colab's packages are in tests/colab/."""
import json, os, re, shutil, sys, time
from pathlib import Path
import pytest
from conftest import free_port, fresh_jupyter_env, running_server
from explorer_check import EXPLORERS, check_explorers, plant_broken_slider

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT/'test-artifacts'/'browser'
CHROMIUM = Path(os.environ.get('NEURALNETS101_CHROMIUM', '/usr/bin/chromium'))
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--disable-quic']

@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    "A JupyterLab server on localhost with fresh settings and workspaces, serving a temporary copy of nbs/."
    tmp = tmp_path_factory.mktemp('lab')
    root, state = tmp/'nbs', tmp/'state'
    shutil.copytree(ROOT/'nbs', root, ignore=shutil.ignore_patterns('.ipynb_checkpoints'))
    (state/'app').mkdir(parents=True)
    (state/'app'/'overrides.json').write_text(json.dumps({'@jupyterlab/apputils-extension:notification': {'fetchNews': 'false'}}))
    port, token = free_port(), 'neuralnets101-test-token'
    cmd = [str(Path(sys.executable).parent/'jupyter'), 'lab', '--no-browser', f'--port={port}', '--ip=127.0.0.1',
           f'--ServerApp.token={token}', f'--ServerApp.root_dir={root}', f'--LabApp.app_settings_dir={state/"app"}', '--allow-root']
    base = f'http://127.0.0.1:{port}'
    with running_server(cmd, fresh_jupyter_env(state), f'{base}/api/status?token={token}', tmp/'lab.log'):
        yield dict(base=base, token=token, root=root)

def wait_idle(page, timeout=180):
    "Wait until the kernel status shows idle and no cell is queued or running."
    deadline = time.time() + timeout
    while time.time() < deadline:
        busy = page.locator('.jp-InputArea-prompt:has-text("[*]")').count()
        idle = page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').count()
        if not busy and idle: return
        time.sleep(0.5)
    raise TimeoutError("kernel did not become idle")

def dismiss_dialogs(page):
    "Accept any start-up dialog (kernel choice, notifications) with its default button, recording what it said."
    for _ in range(3):
        dialog = page.locator('.jp-Dialog')
        try: dialog.first.wait_for(timeout=3_000)
        except Exception: return
        (ARTIFACTS/'dialogs.txt').open('a').write(dialog.first.inner_text() + '\n---\n')
        page.locator('.jp-Dialog .jp-mod-accept').first.click()
        page.wait_for_timeout(500)

def run_all(page):
    page.get_by_role('menuitem', name='Run', exact=True).click()
    page.get_by_role('menuitem', name=re.compile('^Run All Cells')).click()

def explorer_problems(lab, notebook:str) -> list:
    "Open `notebook` in JupyterLab, run all cells, move every explorer's sliders; return the problems found."
    if not CHROMIUM.exists(): pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = Path(notebook).stem
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, timeout=60_000)
        try:
            page = browser.new_page(viewport={'width': 1400, 'height': 1000})
            page.set_default_timeout(60_000)
            page.goto(f"{lab['base']}/lab/tree/{notebook}?reset&token={lab['token']}")
            page.locator('.jp-Notebook .jp-Cell').first.wait_for()
            page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').first.wait_for(timeout=90_000)
            dismiss_dialogs(page)
            run_all(page)
            try: page.locator('.jp-InputArea-prompt:has-text("[*]"), .jp-InputArea-prompt:has-text("[1]")').first.wait_for(timeout=15_000)
            except Exception: run_all(page)   # the first click can land before the menu is ready: retry once
            page.locator(EXPLORERS).first.wait_for(timeout=300_000)
            wait_idle(page, timeout=300)
            problems = check_explorers(page, ARTIFACTS, f"lab_{name}")
            page.screenshot(path=str(ARTIFACTS/f"lab_{name}_page.png"))
            errors = [t for t in page.locator('.jp-OutputArea-output').all_inner_texts() if 'Traceback' in t or 'Error displaying widget' in t]
        finally: browser.close()
    return problems + [f"{name}: an output shows an error: {t[:300]}" for t in errors]

@pytest.mark.parametrize('notebook', ['02_gradients.ipynb', '03_sgd.ipynb'])
def test_explorers_work_in_jupyterlab(lab, notebook):
    problems = explorer_problems(lab, notebook)
    assert not problems, '\n'.join(problems)

def test_jupyterlab_check_catches_a_broken_slider(lab):
    plant_broken_slider(lab['root']/'02_gradients.ipynb', lab['root']/'broken_02_gradients.ipynb')
    problems = explorer_problems(lab, 'broken_02_gradients.ipynb')
    assert any('shows an error' in p and 'ZeroDivisionError' in p for p in problems), problems
    assert any('picture was not replaced' in p for p in problems), problems
