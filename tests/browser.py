"""Jupyter servers and headless Chromium for the real-browser tests, written once.

tests/conftest.py, tests/colab/, tests/pad_in_browser.py and tools/test_colab.py import from here (tests/ is on the
path: pytest puts it there, the others add it). Only the standard library is imported up front; pytest and playwright
are imported when a browser starts, so tools/test_colab.py can read `CHROMIUM` from any Python."""
import json, os, signal, socket, subprocess, sys, time, urllib.request
from contextlib import contextmanager
from pathlib import Path

def free_port() -> int:
    "A TCP port on localhost that nothing listens on right now."
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]

def fresh_jupyter_env(state:Path) -> dict:
    "Environment variables that give JupyterLab empty config, settings, workspaces and runtime folders under `state`."
    return {**os.environ, 'JUPYTER_CONFIG_DIR': str(state/'config'), 'JUPYTER_RUNTIME_DIR': str(state/'runtime'),
            'JUPYTERLAB_SETTINGS_DIR': str(state/'settings'), 'JUPYTERLAB_WORKSPACES_DIR': str(state/'workspaces'),
            'JUPYTER_DATA_DIR': str(state/'data'), 'PYTHONUNBUFFERED': '1'}

@contextmanager
def running_server(cmd:list, env:dict, ready_url:str, log_path:Path, cwd=None, timeout:float=90):
    "Start `cmd` in its own process group, wait until `ready_url` answers, yield, then stop the whole group."
    log = open(log_path, 'w')
    server = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + timeout
        while True:
            try:
                urllib.request.urlopen(ready_url, timeout=2).read()
                break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"server did not start: {Path(log_path).read_text()[-2000:]}")
                time.sleep(0.5)
        yield server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try: server.wait(15)
        except subprocess.TimeoutExpired: os.killpg(server.pid, signal.SIGKILL)
        log.close()

CHROMIUM = Path(os.environ.get('NEURALNETS101_CHROMIUM', '/usr/bin/chromium'))
CHROME_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                '--disable-sync', '--no-first-run', '--disable-quic']

@contextmanager
def jupyterlab(root:Path, state:Path, env:dict, log_path:Path, token:str='neuralnets101-test-token'):
    "JupyterLab on localhost serving `root`, with fresh settings under `state` and no news pop-up; yields its base URL."
    (state/'app').mkdir(parents=True, exist_ok=True)
    (state/'app'/'overrides.json').write_text(json.dumps({'@jupyterlab/apputils-extension:notification': {'fetchNews': 'false'}}))
    port = free_port()
    cmd = [str(Path(sys.executable).parent/'jupyter'), 'lab', '--no-browser', f'--port={port}', '--ip=127.0.0.1',
           f'--ServerApp.token={token}', f'--ServerApp.root_dir={root}', f'--LabApp.app_settings_dir={state/"app"}', '--allow-root']
    base = f'http://127.0.0.1:{port}'
    with running_server(cmd, env, f'{base}/api/status?token={token}', log_path): yield base

def accept_dialogs(page, record:Path=None):
    "Accept any start-up dialog (kernel choice, notifications) with its default button, appending its text to `record`."
    for _ in range(3):
        dialog = page.locator('.jp-Dialog')
        try: dialog.first.wait_for(timeout=3_000)
        except Exception: return
        if record is not None: record.open('a').write(dialog.first.inner_text() + '\n---\n')
        page.locator('.jp-Dialog .jp-mod-accept').first.click()
        page.wait_for_timeout(500)

def run_all_cells(page):
    "Run every cell from JupyterLab's Run menu, retrying once if the first click came before the menu was ready."
    import re
    for _ in range(2):
        page.get_by_role('menuitem', name='Run', exact=True).click()
        page.get_by_role('menuitem', name=re.compile('^Run All Cells')).click()
        try:
            page.locator('.jp-InputArea-prompt:has-text("[*]"), .jp-InputArea-prompt:has-text("[1]")').first.wait_for(timeout=15_000)
            return
        except Exception: pass

@contextmanager
def chromium_page(
    width:int=1400, height:int=1000,  # the viewport
    timeout_ms:int=60_000,            # Playwright's default wait for every action
):
    "A page in Debian's headless Chromium (`CHROMIUM`, started with `CHROME_FLAGS`); fails the test when Chromium is missing."
    if not CHROMIUM.exists():
        import pytest
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROME_FLAGS, timeout=60_000)
        try:
            page = browser.new_page(viewport={'width': width, 'height': height})
            page.set_default_timeout(timeout_ms)
            yield page
        finally: browser.close()
