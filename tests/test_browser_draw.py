"""Real-browser test of the drawing pad in JupyterLab 4 (ipywidgets 8): Debian's Chromium driven by Playwright.

Runs a small notebook that trains chapter 4's CNN and shows a `DigitPad`, draws a vertical line and a 7 with the
mouse, clears, and checks the readout each time. Screenshots and readouts go to test-artifacts/browser/."""
import re, time
from pathlib import Path
import pytest
from pad_in_browser import (ARTIFACTS, CHROMIUM, FLAGS, server_helpers, server_env, write_pad_notebook, exercise_pad,
                            check_readouts)

SHOTS = ARTIFACTS/'browser'

@pytest.fixture
def lab_with_pad(tmp_path):
    "JupyterLab on localhost with fresh settings, serving the pad notebook."
    import sys, json
    root, state = tmp_path/'nbs', tmp_path/'state'
    root.mkdir(); state.mkdir(); (state/'app').mkdir()
    notebook = write_pad_notebook(root)
    (state/'app'/'overrides.json').write_text(json.dumps({'@jupyterlab/apputils-extension:notification': {'fetchNews': 'false'}}))
    port, token = server_helpers.free_port(), 'neuralnets101-draw-token'
    cmd = [str(Path(sys.executable).parent/'jupyter'), 'lab', '--no-browser', f'--port={port}', '--ip=127.0.0.1',
           f'--ServerApp.token={token}', f'--ServerApp.root_dir={root}', f'--LabApp.app_settings_dir={state/"app"}', '--allow-root']
    base = f'http://127.0.0.1:{port}'
    with server_helpers.running_server(cmd, server_env(state), f'{base}/api/status?token={token}', tmp_path/'lab.log'):
        yield f'{base}/lab/tree/{notebook}?reset&token={token}'

def run_all_cells(page):
    "Run every cell from the Run menu, retrying once if the first click came before the menu was ready."
    for _ in range(2):
        page.get_by_role('menuitem', name='Run', exact=True).click()
        page.get_by_role('menuitem', name=re.compile('^Run All Cells')).click()
        try:
            page.locator('.jp-InputArea-prompt:has-text("[*]"), .jp-InputArea-prompt:has-text("[1]")').first.wait_for(timeout=15_000)
            return
        except Exception: pass

def accept_dialogs(page):
    "Accept any start-up dialog (kernel choice) with its default button."
    for _ in range(3):
        try: page.locator('.jp-Dialog').first.wait_for(timeout=3_000)
        except Exception: return
        page.locator('.jp-Dialog .jp-mod-accept').first.click()
        page.wait_for_timeout(500)

def test_draw_on_the_pad_in_jupyterlab(lab_with_pad):
    if not CHROMIUM.exists(): pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright
    start = time.time()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, timeout=60_000)
        try:
            page = browser.new_page(viewport={'width': 1200, 'height': 900})
            page.set_default_timeout(60_000)
            page.goto(lab_with_pad)
            page.locator('.jp-Notebook .jp-Cell').first.wait_for()
            page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').first.wait_for(timeout=90_000)
            accept_dialogs(page)
            run_all_cells(page)
            page.locator('.digitpad-canvas').first.wait_for(timeout=600_000)   # the CNN trains first
            seen = exercise_pad(page, SHOTS, 'draw_jupyterlab')
            page.screenshot(path=str(SHOTS/'draw_jupyterlab_page.png'))
            errors = page.locator('[data-mime-type="application/vnd.jupyter.error"]').count()
        finally: browser.close()
    print(f"JupyterLab pad test: {time.time() - start:.0f} s; line read as {seen['line']['answer']!r}, 7 read as {seen['seven']['answer']!r}")
    assert errors == 0
    check_readouts(seen)
