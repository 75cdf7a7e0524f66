"""Real-browser test: JupyterLab + Debian's Chromium driven by Playwright.

Opens chapter 3 in a fresh JupyterLab, runs all cells, moves the learning-rate slider with the keyboard, and checks
that the kernel retrained (the summary names the new rate), that no cell shows an error, and that the plot changed.
Screenshots go to test-artifacts/browser/."""
import json, os, re, shutil, sys, time
from pathlib import Path
import pytest
from conftest import free_port, fresh_jupyter_env, running_server

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT/'test-artifacts'/'browser'
CHROMIUM = Path(os.environ.get('NEURALNETS101_CHROMIUM', '/usr/bin/chromium'))
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--disable-quic']
NOTEBOOK = '03_sgd.ipynb'
SUMMARY = re.compile(r'learning rate ([0-9.e+-]+): (\d+) epochs')

@pytest.fixture
def lab(tmp_path):
    "A JupyterLab server on localhost with fresh settings and workspaces, serving a copy of chapter 3."
    root, state = tmp_path/'nbs', tmp_path/'state'
    root.mkdir(); state.mkdir()
    shutil.copy(ROOT/'nbs'/NOTEBOOK, root/NOTEBOOK)
    (state/'app').mkdir()
    (state/'app'/'overrides.json').write_text(json.dumps({'@jupyterlab/apputils-extension:notification': {'fetchNews': 'false'}}))
    port, token = free_port(), 'neuralnets101-test-token'
    cmd = [str(Path(sys.executable).parent/'jupyter'), 'lab', '--no-browser', f'--port={port}', '--ip=127.0.0.1',
           f'--ServerApp.token={token}', f'--ServerApp.root_dir={root}', f'--LabApp.app_settings_dir={state/"app"}', '--allow-root']
    base = f'http://127.0.0.1:{port}'
    with running_server(cmd, fresh_jupyter_env(state), f'{base}/api/status?token={token}', tmp_path/'lab.log'):
        yield dict(base=base, token=token, root=root)

def summary_text(page):
    "Text of the explorer's summary line, or '' while it is not rendered."
    texts = page.locator('.widget-html-content').all_inner_texts()
    return next((t for t in texts if SUMMARY.search(t)), '')

def wait_idle(page, timeout=120):
    "Wait until the kernel status shows idle and no cell is queued or running."
    deadline = time.time() + timeout
    while time.time() < deadline:
        busy = page.locator('.jp-InputArea-prompt:has-text("[*]")').count()
        idle = page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"], .jp-KernelStatus-success').count() \
               or 'Idle' in (page.locator('.jp-StatusBar-Widget').all_inner_texts() or [''])[-1]
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

def plot_source(page):
    images = page.locator('.widget-output img')
    return images.first.get_attribute('src') if images.count() else None

def test_slider_retrains_in_a_real_browser(lab):
    if not CHROMIUM.exists(): pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, timeout=60_000)
        try:
            page = browser.new_page(viewport={'width': 1400, 'height': 1000})
            page.set_default_timeout(60_000)
            page.goto(f"{lab['base']}/lab/tree/{NOTEBOOK}?reset&token={lab['token']}")
            page.locator('.jp-Notebook .jp-Cell').first.wait_for()
            page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').first.wait_for(timeout=90_000)
            dismiss_dialogs(page)
            run_all(page)
            try: page.locator('.jp-InputArea-prompt:has-text("[*]"), .jp-InputArea-prompt:has-text("[1]")').first.wait_for(timeout=15_000)
            except Exception: run_all(page)   # the first click can land before the menu is ready: retry once
            page.wait_for_function("() => [...document.querySelectorAll('.widget-html-content')].some(e => /learning rate [0-9.e+-]+: \\d+ epochs/.test(e.innerText))",
                                   timeout=180_000)
            wait_idle(page, timeout=180)
            before = summary_text(page)
            before_plot = plot_source(page)
            slider = page.locator('.widget-slider').filter(has_text='learning rate').first
            slider.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS/'03_sgd_before_move.png'))
            handle = slider.locator('.noUi-handle, .ui-slider-handle').first
            handle.focus()
            for _ in range(6): handle.press('ArrowLeft')
            page.wait_for_function("(before) => [...document.querySelectorAll('.widget-html-content')].some(e => /learning rate [0-9.e+-]+: \\d+ epochs/.test(e.innerText) && e.innerText !== before)",
                                   arg=before, timeout=60_000)
            wait_idle(page, timeout=60)
            after = summary_text(page)
            page.wait_for_timeout(500)
            after_plot = plot_source(page)
            page.screenshot(path=str(ARTIFACTS/'03_sgd_after_move.png'))
            errors = page.locator('[data-mime-type="application/vnd.jupyter.error"]').count()
            tracebacks = [t for t in page.locator('.jp-OutputArea-output').all_inner_texts() if 'Traceback' in t]
            readout = slider.locator('.widget-readout').inner_text()
        finally: browser.close()
    rate_before, rate_after = float(SUMMARY.search(before).group(1)), float(SUMMARY.search(after).group(1))
    assert rate_after < rate_before, (before, after)
    assert f"learning rate {float(readout):.3g}:" in after, (readout, after)
    assert errors == 0 and not tracebacks, tracebacks
    assert before_plot and after_plot and before_plot != after_plot, "the plot did not change after the move"
