"""Drawing on `DigitPad` in a real browser: the notebook under test, mouse strokes, and reading the pad's readout.

Shared by `test_browser_draw.py` (JupyterLab 4) and `colab/test_draw_classic.py` (classic Notebook 6.5); each of
them starts its own server and runs the notebook's cells its own way."""
import json, os, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT/'test-artifacts'
NOTEBOOK = 'draw_pad.ipynb'
EMPTY_MESSAGE = 'draw a digit first'
TOO_SMALL_MESSAGE = 'too small to be a digit: draw one that fills more of the box'

sys.path.insert(0, str(ROOT/'tests'))
import browser as server_helpers   # the Jupyter servers and Chromium, shared with every browser test

CELLS = [
    "from neuralnets101.handwriting import course_model, mnist_style\nfrom neuralnets101.draw import DigitPad\nfrom fastai.torch_core import set_seed",
    "set_seed(42, reproducible=True)\nlearn = course_model(weights='no-such-file.pth')   # always chapter 5's model, trained now",
    "pad = DigitPad(learn, prepare=mnist_style)\npad",
]

def write_pad_notebook(folder:Path) -> str:
    "Write the notebook under test into `folder`: train chapter 4's CNN, then show a pad that reads MNIST-style."
    cells = [dict(cell_type='code', execution_count=None, metadata={}, outputs=[], source=source) for source in CELLS]
    nb = dict(cells=cells, metadata={'kernelspec': {'display_name': 'Python 3', 'language': 'python', 'name': 'python3'}},
              nbformat=4, nbformat_minor=4)
    (Path(folder)/NOTEBOOK).write_text(json.dumps(nb, indent=1))
    return NOTEBOOK

def server_env(state:Path) -> dict:
    "Fresh Jupyter config under `state`, and this checkout's package first on the kernel's path."
    env = server_helpers.fresh_jupyter_env(state)
    env['PYTHONPATH'] = os.pathsep.join([str(ROOT)] + [p for p in env.get('PYTHONPATH', '').split(os.pathsep) if p])
    return env

def readout(page) -> dict:
    "The pad's answer and the probability of each bar, as the browser shows them."
    return page.evaluate("""() => {
        const pad = document.querySelector('.digitpad');
        if (!pad) return null;
        const bars = [...pad.querySelectorAll('.digitpad-bar')];
        return {answer: pad.querySelector('.digitpad-answer').textContent,
                digits: bars.map(b => Number(b.dataset.digit)), probabilities: bars.map(b => Number(b.dataset.probability)),
                percents: bars.map(b => b.querySelector('.digitpad-percent').textContent)};
    }""")

def wait_for_answer(page, differs_from:str, timeout:float=60):
    "Wait until the answer text is not `differs_from` any more; return the readout."
    page.wait_for_function("(before) => { const a = document.querySelector('.digitpad .digitpad-answer'); return a && a.textContent !== before; }",
                           arg=differs_from, timeout=timeout*1000)
    page.wait_for_timeout(300)   # the bars arrive in the same message; let the browser paint them
    return readout(page)

def draw_stroke(page, points:list, steps:int=8):
    "Press the mouse at the first canvas point, move through the others, release: one stroke."
    canvas = page.locator('.digitpad-canvas').first
    box = canvas.bounding_box()
    at = lambda x, y: (box['x'] + x*box['width']/280, box['y'] + y*box['height']/280)
    page.mouse.move(*at(*points[0]))
    page.mouse.down()
    for point in points[1:]: page.mouse.move(*at(*point), steps=steps)
    page.mouse.up()

def canvas_point(page, x:float, y:float) -> tuple:
    "Page coordinates of the canvas point (x, y), on the 280×280 canvas."
    box = page.locator('.digitpad-canvas').first.bounding_box()
    return box['x'] + x*box['width']/280, box['y'] + y*box['height']/280

def ink_on_canvas(page) -> int:
    "How many of the canvas's pixels carry ink (white in its data), as the browser holds them."
    return page.evaluate("""() => { const c = document.querySelector('.digitpad-canvas'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                                   let n = 0; for (let i = 0; i < d.length; i += 4) n += d[i] > 127; return n; }""")

VERTICAL_LINE = [(140, 50), (140, 230)]
SEVEN = [(80, 60), (200, 60), (190, 90), (130, 230)]

def exercise_pad(page, shots:Path, prefix:str) -> dict:
    "Draw a vertical line, clear, draw a 7, clear; screenshot each state; return what the pad showed each time."
    shots.mkdir(parents=True, exist_ok=True)
    pad = page.locator('.digitpad').first
    pad.scroll_into_view_if_needed()
    seen = {'start': readout(page)}
    pad.screenshot(path=str(shots/f'{prefix}_empty.png'))
    draw_stroke(page, VERTICAL_LINE)
    seen['line'] = wait_for_answer(page, EMPTY_MESSAGE)
    pad.screenshot(path=str(shots/f'{prefix}_line.png'))
    page.locator('.digitpad-clear').first.click()
    seen['cleared_line'] = wait_for_answer(page, seen['line']['answer'])
    page.mouse.click(*canvas_point(page, 140, 140))                  # one click: a dot of ink, too small to be a digit
    seen['click'] = wait_for_answer(page, EMPTY_MESSAGE)
    seen['click_ink'] = ink_on_canvas(page)
    pad.screenshot(path=str(shots/f'{prefix}_click.png'))
    page.locator('.digitpad-clear').first.click()
    seen['cleared_click'] = wait_for_answer(page, seen['click']['answer'])
    draw_stroke(page, [(60, 200), (68, 204)])                          # a short scratch: still too small
    seen['scratch'] = wait_for_answer(page, EMPTY_MESSAGE)
    page.locator('.digitpad-clear').first.click()
    wait_for_answer(page, seen['scratch']['answer'])
    draw_stroke(page, SEVEN)
    seen['seven'] = wait_for_answer(page, EMPTY_MESSAGE)
    pad.screenshot(path=str(shots/f'{prefix}_seven.png'))
    page.locator('.digitpad-clear').first.click()
    seen['cleared'] = wait_for_answer(page, seen['seven']['answer'])
    pad.screenshot(path=str(shots/f'{prefix}_cleared.png'))
    (shots/f'{prefix}_readouts.json').write_text(json.dumps(seen, indent=1))
    return seen

def check_readouts(seen:dict):
    "What both frontends must show: a 1 for the line, a probability per digit summing to 1, the empty message after clearing."
    assert seen['start']['answer'] == EMPTY_MESSAGE and seen['start']['probabilities'] == [], seen['start']
    for name in ('line', 'seven'):
        reading = seen[name]
        assert reading['digits'] == list(range(10)), (name, reading)
        assert abs(sum(reading['probabilities']) - 1) < 1e-4, (name, reading)
        best = max(range(10), key=lambda d: reading['probabilities'][d])
        assert reading['answer'] == f"I read {'an' if best == 8 else 'a'} {best}", (name, reading)
    assert seen['line']['answer'] == 'I read a 1', seen['line']
    assert 200 < seen['click_ink'] < 500, seen['click_ink']           # a click leaves a round dot, about 20 pixels across
    for name in ('click', 'scratch'):
        assert seen[name]['answer'] == TOO_SMALL_MESSAGE and seen[name]['probabilities'] == [], (name, seen[name])
    for name in ('cleared_line', 'cleared_click', 'cleared'):
        assert seen[name]['answer'] == EMPTY_MESSAGE and seen[name]['probabilities'] == [], (name, seen[name])
