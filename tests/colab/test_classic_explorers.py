"""The explorers of chapters 2 and 3 in the classic Notebook 6.5.7 with Colab's ipywidgets 7.7.1 / widgetsnbextension 3.6.10.

Each test opens a notebook, runs all cells, then moves every slider of every explorer with the keyboard and checks
(tests/explorer_check.py) that the summary names the new value, no error shows, and the picture changed.
A copy of chapter 2 with a planted broken slider must fail that check."""
import pytest
from classic import open_and_run_all, output_errors
from explorer_check import EXPLORERS, check_explorers, plant_broken_slider

WIDGET_FAILURES = ('Could not create', '_deserialize_state', 'Error displaying widget')

def explorer_problems(classic_notebook, page, artifacts, notebook:str) -> list:
    name = f"classic_{notebook.removesuffix('.ipynb')}"
    open_and_run_all(page, classic_notebook['url'](notebook))
    try: page.locator(EXPLORERS).first.wait_for(timeout=30_000)
    except Exception: pass   # reported by check_explorers
    problems = check_explorers(page, artifacts, name)
    page.screenshot(path=str(artifacts/f"{name}_page.png"), full_page=True)
    problems += [f"{notebook}: an output shows an error: {t[:300]}" for t in output_errors(page)]
    problems += [f"{notebook}: browser console: {t[:300]}" for t in page.console_errors if any(f in t for f in WIDGET_FAILURES)]
    return problems

@pytest.mark.parametrize('notebook', ['02_gradients.ipynb', '03_sgd.ipynb'])
def test_explorers_work_in_the_classic_notebook(classic_notebook, browser_page, artifacts, notebook):
    problems = explorer_problems(classic_notebook, browser_page, artifacts, notebook)
    assert not problems, '\n'.join(problems)

def test_classic_check_catches_a_broken_slider(classic_notebook, browser_page, artifacts):
    root = classic_notebook['root']
    plant_broken_slider(root/'02_gradients.ipynb', root/'broken_02_gradients.ipynb')
    problems = explorer_problems(classic_notebook, browser_page, artifacts, 'broken_02_gradients.ipynb')
    assert any('shows an error' in p and 'ZeroDivisionError' in p for p in problems), problems
    assert any('picture was not replaced' in p for p in problems), problems
