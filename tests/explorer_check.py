"""What the browser tests check on a notebook's explorers, in any frontend (JupyterLab 4 or the classic Notebook).

An explorer is a widget box holding sliders, a one-line summary and a picture (`neuralnets101.widgets`).
`check_explorers` moves every slider of every explorer on the page with the keyboard, as a person would, and returns
what went wrong: a summary that did not change or does not name the slider's new value, an error shown instead,
a picture that did not change. An empty list means every slider worked. Screenshots go to `shots`."""
import re, time
from pathlib import Path

EXPLORERS = '.widget-vbox:has(.widget-image)'
HANDLE = '.noUi-handle, .ui-slider-handle'   # ipywidgets 8 (noUiSlider), ipywidgets 7 (jQuery UI)
FAILED = 'could not show'                     # how an explorer's summary starts when a computation failed
BUSY = 'the picture below still shows'         # in an explorer's summary while a computation runs in the background

def summary(explorer) -> str:
    texts = explorer.locator('.widget-html-content').all_inner_texts()
    return texts[0].strip() if texts else ''

def picture(explorer) -> tuple:
    "The picture's blob URL and its pixels as the browser draws them."
    image = explorer.locator('.widget-image').first
    return image.get_attribute('src'), image.screenshot()

def mentions(text:str, readout:str) -> bool:
    "Does `text` name the number shown in a slider's readout (e.g. '0.0708' or '3')?"
    return re.search(rf'(?<![\d.]){re.escape(readout.strip())}(?![\d])', text) is not None

def wait_for_change(explorer, before:str, readout:str, timeout:float) -> str:
    "Wait until the summary names `readout` (or shows an error) and has stopped changing; return it (last seen on timeout)."
    deadline, last, since = time.time() + timeout, before, time.time()
    while time.time() < deadline:
        now = summary(explorer)
        if now != last: last, since = now, time.time()
        settled = now != before and BUSY not in now and (mentions(now, readout) or FAILED in now)
        if settled and time.time() - since > 1.0: return now
        time.sleep(0.25)
    return '' if last == before else last

def move_slider(explorer, slider, presses:int, timeout:float):
    "Press ArrowLeft on a slider's handle; return (summary, readout, picture) once the explorer has redrawn for the new value."
    before = summary(explorer)
    handle = slider.locator(HANDLE).first
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(presses): handle.press('ArrowLeft')
    explorer.page.wait_for_timeout(300)
    readout = slider.locator('.widget-readout').first.inner_text()
    after = wait_for_change(explorer, before, readout, timeout)
    explorer.page.wait_for_timeout(500)
    return after, readout, picture(explorer)

def check_explorers(page, shots:Path, name:str, presses:int=3, timeout:float=120) -> list:
    "Move every slider of every explorer on `page`; return the problems found (empty: all good)."
    shots.mkdir(parents=True, exist_ok=True)
    explorers = page.locator(EXPLORERS)
    if explorers.count() == 0: return [f"{name}: no explorer on the page"]
    problems = []
    for e in range(explorers.count()):
        explorer = explorers.nth(e)
        explorer.evaluate("e => e.scrollIntoView({block: 'center'})")   # clear of the classic Notebook's fixed header
        explorer.screenshot(path=str(shots/f"{name}_explorer{e}_start.png"))
        sliders = explorer.locator('.widget-slider')
        if sliders.count() == 0: problems.append(f"{name} explorer {e}: no slider")
        for s in range(sliders.count()):
            slider = sliders.nth(s)
            label = slider.locator('.widget-label').first.inner_text().strip() or f"slider {s}"
            before_text, before_picture = summary(explorer), picture(explorer)
            after_text, readout, after_picture = move_slider(explorer, slider, presses, timeout)
            explorer.evaluate("e => e.scrollIntoView({block: 'center'})")
            explorer.screenshot(path=str(shots/f"{name}_explorer{e}_after_{label.replace(' ', '_')}.png"))
            where = f"{name} explorer {e}, {label} slider"
            if not after_text: problems.append(f"{where}: the summary did not change within {timeout:.0f} s ({before_text!r})"); continue
            if FAILED in after_text: problems.append(f"{where}: the explorer shows an error: {after_text}")
            elif not mentions(after_text, readout): problems.append(f"{where}: the summary does not name the new value {readout}: {after_text}")
            if after_picture[0] == before_picture[0]: problems.append(f"{where}: the picture was not replaced")
            elif after_picture[1] == before_picture[1]: problems.append(f"{where}: the picture looks the same")
    return problems

def plant_broken_slider(notebook:Path, target:Path):
    "Copy `notebook` to `target` with one cell added at the end: from then on, every computation of `explorer` raises."
    import json
    nb = json.loads(notebook.read_text())
    nb['cells'].append(dict(cell_type='code', execution_count=None, metadata={}, outputs=[],
                            source=["explorer.compute = lambda *choice: 1 / 0   # planted: every move of a slider fails"]))
    target.write_text(json.dumps(nb, indent=1))

def plant_training_log(notebook:Path, target:Path, log:Path):
    "Copy `notebook` to `target` with one cell added at the end: from then on, `explorer` writes each choice it computes to `log`."
    import json
    nb = json.loads(notebook.read_text())
    code = (f"import pathlib\n_compute = explorer.compute\n"
            f"def logged(*choice, **kwargs):\n    with pathlib.Path({str(log)!r}).open('a') as f: f.write(repr(choice) + '\\n')\n"
            f"    return _compute(*choice, **kwargs)\nexplorer.compute = logged")
    nb['cells'].append(dict(cell_type='code', execution_count=None, metadata={}, outputs=[], source=[code]))
    target.write_text(json.dumps(nb, indent=1))
