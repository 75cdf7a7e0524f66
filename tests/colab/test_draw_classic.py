"""Real-browser test of the drawing pad in the classic Notebook 6.5.7 with ipywidgets 7.7.1 (Colab's versions).

Run by `make test-colab` with the Colab environment (fixtures `classic_notebook`, `browser_page` and `artifacts` from
tests/colab/conftest.py). The same strokes and checks as tests/test_browser_draw.py in JupyterLab 4; screenshots and
readouts go to test-artifacts/colab/."""
from classic import open_and_run_all, output_errors
from pad_in_browser import write_pad_notebook, exercise_pad, check_readouts

def errors_shown(page) -> list:
    "Error outputs, tracebacks and widgets that failed to display (stderr warnings alone do not count)."
    return page.locator('.output_error').all_inner_texts() + [t for t in output_errors(page) if 'Traceback' in t or 'Error displaying widget' in t]

def test_draw_on_the_pad_in_the_classic_notebook(classic_notebook, browser_page, artifacts):
    page = browser_page
    notebook = write_pad_notebook(classic_notebook['root'])
    open_and_run_all(page, classic_notebook['url'](notebook), timeout=600)   # trains chapter 4's CNN first
    page.screenshot(path=str(artifacts/'draw_classic_page.png'), full_page=True)
    assert not errors_shown(page), errors_shown(page)
    page.locator('.digitpad-canvas').first.wait_for(timeout=60_000)
    seen = exercise_pad(page, artifacts, 'draw_classic')
    print(f"classic Notebook: line read as {seen['line']['answer']!r}, 7 read as {seen['seven']['answer']!r}")
    assert not errors_shown(page), errors_shown(page)
    assert not [e for e in page.console_errors if 'anywidget' in e.lower() or 'digitpad' in e.lower()], page.console_errors
    check_readouts(seen)
