"""Real-browser test of the drawing pad in JupyterLab 4 (ipywidgets 8): Debian's Chromium driven by Playwright.

Runs a small notebook that trains chapter 4's CNN and shows a `DigitPad`, draws a vertical line and a 7 with the
mouse, clears, and checks the readout each time. Screenshots and readouts go to test-artifacts/browser/."""
import time
from pathlib import Path
import pytest
from browser import chromium_page
from pad_in_browser import ARTIFACTS, server_helpers, server_env, write_pad_notebook, exercise_pad, check_readouts

SHOTS = ARTIFACTS/'browser'

@pytest.fixture
def lab_with_pad(tmp_path):
    "JupyterLab on localhost with fresh settings, serving the pad notebook."
    root, state, token = tmp_path/'nbs', tmp_path/'state', 'neuralnets101-draw-token'
    root.mkdir()
    notebook = write_pad_notebook(root)
    with server_helpers.jupyterlab(root, state, server_env(state), tmp_path/'lab.log', token) as base:
        yield f'{base}/lab/tree/{notebook}?reset&token={token}'

def test_draw_on_the_pad_in_jupyterlab(lab_with_pad):
    start = time.time()
    with chromium_page(1200, 900) as page:
        page.goto(lab_with_pad)
        page.locator('.jp-Notebook .jp-Cell').first.wait_for()
        page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').first.wait_for(timeout=90_000)
        server_helpers.accept_dialogs(page)
        server_helpers.run_all_cells(page)
        page.locator('.digitpad-canvas').first.wait_for(timeout=600_000)   # the CNN trains first
        seen = exercise_pad(page, SHOTS, 'draw_jupyterlab')
        page.screenshot(path=str(SHOTS/'draw_jupyterlab_page.png'))
        errors = page.locator('[data-mime-type="application/vnd.jupyter.error"]').count()
    print(f"JupyterLab pad test: {time.time() - start:.0f} s; line read as {seen['line']['answer']!r}, 7 read as {seen['seven']['answer']!r}")
    assert errors == 0
    check_readouts(seen)
