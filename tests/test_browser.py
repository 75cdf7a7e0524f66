"""Real-browser test: JupyterLab 4 (ipywidgets 8) + Debian's Chromium driven by Playwright.

Opens chapters 2 and 3 in a fresh JupyterLab, runs all cells, moves every slider of every explorer with the keyboard
and checks (tests/explorer_check.py) that the summary names the new value, that no error shows, and that the picture
changed. A copy of chapter 2 with a planted broken slider must fail that check. Screenshots go to
test-artifacts/browser/. The same checks in the classic Notebook with Colab's packages are in tests/colab/."""
import shutil, time
from pathlib import Path
import pytest
from conftest import CHROMIUM, CHROME_FLAGS, fresh_jupyter_env, jupyterlab, accept_dialogs, run_all_cells
from explorer_check import EXPLORERS, check_explorers, plant_broken_slider

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT/'test-artifacts'/'browser'

@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    "A JupyterLab server on localhost with fresh settings and workspaces, serving a temporary copy of nbs/."
    tmp = tmp_path_factory.mktemp('lab')
    root, state, token = tmp/'nbs', tmp/'state', 'neuralnets101-test-token'
    shutil.copytree(ROOT/'nbs', root, ignore=shutil.ignore_patterns('.ipynb_checkpoints'))
    with jupyterlab(root, state, fresh_jupyter_env(state), tmp/'lab.log', token) as base:
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

def explorer_problems(lab, notebook:str) -> list:
    "Open `notebook` in JupyterLab, run all cells, move every explorer's sliders; return the problems found."
    if not CHROMIUM.exists(): pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = Path(notebook).stem
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROME_FLAGS, timeout=60_000)
        try:
            page = browser.new_page(viewport={'width': 1400, 'height': 1000})
            page.set_default_timeout(60_000)
            page.goto(f"{lab['base']}/lab/tree/{notebook}?reset&token={lab['token']}")
            page.locator('.jp-Notebook .jp-Cell').first.wait_for()
            page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').first.wait_for(timeout=90_000)
            accept_dialogs(page, record=ARTIFACTS/'dialogs.txt')
            run_all_cells(page)
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
