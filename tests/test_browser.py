"""Real-browser test: JupyterLab 4 (ipywidgets 8) + Debian's Chromium driven by Playwright.

Opens chapters 2 and 3 in a fresh JupyterLab, runs all cells, moves every slider of every explorer with the keyboard
and checks (tests/explorer_check.py) that the summary names the new value, that no error shows, and that the picture
changed. A copy of chapter 2 with a planted broken slider must fail that check. Screenshots go to
test-artifacts/browser/. The same checks in the classic Notebook with Colab's packages are in tests/colab/."""
import shutil, time
from pathlib import Path
import pytest
from browser import chromium_page, fresh_jupyter_env, jupyterlab, accept_dialogs, run_all_cells
from explorer_check import EXPLORERS, BUSY, HANDLE, check_explorers, plant_broken_slider, plant_training_log, summary

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

def open_and_run(page, lab, notebook:str):
    "Open `notebook` in JupyterLab, run all its cells and wait until the kernel is idle with an explorer on the page."
    page.set_default_timeout(60_000)
    page.goto(f"{lab['base']}/lab/tree/{notebook}?reset&token={lab['token']}")
    page.locator('.jp-Notebook .jp-Cell').first.wait_for()
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').first.wait_for(timeout=90_000)
    accept_dialogs(page, record=ARTIFACTS/'dialogs.txt')
    run_all_cells(page)
    page.locator(EXPLORERS).first.wait_for(timeout=300_000)
    wait_idle(page, timeout=300)

def explorer_problems(lab, notebook:str) -> list:
    "Open `notebook` in JupyterLab, run all cells, move every explorer's sliders; return the problems found."
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = Path(notebook).stem
    with chromium_page(1400, 1000) as page:
        open_and_run(page, lab, notebook)
        problems = check_explorers(page, ARTIFACTS, f"lab_{name}")
        page.screenshot(path=str(ARTIFACTS/f"lab_{name}_page.png"))
        errors = [t for t in page.locator('.jp-OutputArea-output').all_inner_texts() if 'Traceback' in t or 'Error displaying widget' in t]
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

def test_quick_presses_show_a_busy_line_and_train_only_the_last_choice(lab):
    "Chapter 3's retraining slider, three quick arrow presses: 'training at' the last value at once, then only that value trained and shown."
    import ast
    log = lab['root']/'trained.txt'
    plant_training_log(lab['root']/'03_sgd.ipynb', lab['root']/'logged_03_sgd.ipynb', log)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium_page(1400, 1000) as page:
        open_and_run(page, lab, 'logged_03_sgd.ipynb')
        log.unlink(missing_ok=True)                       # from here on, only what the presses cause
        explorer = page.locator(EXPLORERS).first
        explorer.evaluate("e => e.scrollIntoView({block: 'center'})")
        slider = explorer.locator('.widget-slider').first
        handle = slider.locator(HANDLE).first
        handle.focus()
        for _ in range(3): handle.press('ArrowLeft')      # three quick presses, no wait between them
        readout = slider.locator('.widget-readout').first.inner_text().strip()
        seen, busy_shot, deadline = [], False, time.time() + 120
        while time.time() < deadline:
            text = summary(explorer)
            if not seen or text != seen[-1]: seen.append(text)
            if BUSY in text and not busy_shot:
                explorer.screenshot(path=str(ARTIFACTS/'lab_03_sgd_busy.png')); busy_shot = True
            if BUSY not in text and text.startswith(f'learning rate {readout}:'): break
            time.sleep(0.1)
        page.wait_for_timeout(1500)                          # anything still queued would show up now
        explorer.screenshot(path=str(ARTIFACTS/'lab_03_sgd_after_presses.png'))
        final = summary(explorer)
    busy_lines = [t for t in seen if BUSY in t]
    assert busy_lines and all(f'training at learning rate {readout}' in t for t in busy_lines[-1:]), seen
    assert all('still shows learning rate 1, epochs 5' in t for t in busy_lines), busy_lines
    assert final.startswith(f'learning rate {readout}: 5 epochs'), (readout, final, seen)
    trained = [ast.literal_eval(line) for line in log.read_text().splitlines()]
    assert [f"{lr:.3g}" for lr, _ in trained] == [readout], (readout, trained)   # the two values in between were never trained
