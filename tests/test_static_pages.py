"""What a page where widgets don't run shows: chapter 2 executed as `make outputs` does (nbclient, on the offline subset
here), exported with `jupyter nbconvert --to html`, and opened in Chromium with every network request refused. The
explorer must be there as a picture, with no raw repr of it. Screenshots go to test-artifacts/static/."""
import base64, os, subprocess, sys
from pathlib import Path
import nbformat, pytest
from browser import chromium_page

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT/'test-artifacts'/'static'
sys.path.insert(0, str(ROOT/'tools'))

WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'

@pytest.fixture(scope='module')
def chapter_2_saved(tmp_path_factory):
    "Chapter 2 run top to bottom in a fresh kernel and saved the way `make outputs` saves it."
    from make_outputs import run_notebook, drop_finished_bars, drop_widget_state
    nb = run_notebook(ROOT/'nbs'/'02_gradients.ipynb', {'NEURALNETS101_OFFLINE': '1', 'PYTHONPATH': str(ROOT),
                                                        'MPLBACKEND': 'module://matplotlib_inline.backend_inline'}, timeout=300)
    fname = tmp_path_factory.mktemp('static')/'02_gradients.ipynb'
    nbformat.write(drop_widget_state(drop_finished_bars(nb)), fname)
    return fname

def widget_outputs(nb) -> list:
    return [o for c in nb.cells for o in c.get('outputs', []) if WIDGET_VIEW in o.get('data', {})]

def test_each_widget_output_carries_a_picture_and_a_sentence(chapter_2_saved):
    sys.path.insert(0, str(ROOT/'tools'))
    from check_outputs import widget_problems
    outputs = widget_outputs(nbformat.read(chapter_2_saved, as_version=4))
    assert len(outputs) == 1, outputs
    for output in outputs:
        assert widget_problems(output) == [], output['data']['text/plain']
        assert output['data']['text/plain'].startswith('learning-rate explorer, sliders at learning rate 0.1: learning rate 0.1: after 10 steps')
    assert 'widgets' not in nbformat.read(chapter_2_saved, as_version=4).metadata

def test_the_html_page_shows_the_explorer_as_a_picture_offline(chapter_2_saved):
    subprocess.run([Path(sys.executable).parent/'jupyter', 'nbconvert', '--to', 'html', str(chapter_2_saved)], check=True, capture_output=True)
    page_file = chapter_2_saved.with_suffix('.html')
    picture = widget_outputs(nbformat.read(chapter_2_saved, as_version=4))[0]['data']['image/png']
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    refused = []
    with chromium_page(1200, 900) as page:
        page.route('**/*', lambda route: route.continue_() if route.request.url.startswith('file:') else (refused.append(route.request.url), route.abort()))
        page.goto(page_file.as_uri())
        image = page.locator(f'img[src^="data:image/png;base64,{picture[:200]}"]')
        assert image.count() == 1, "the explorer's picture is not on the page"
        image.scroll_into_view_if_needed()
        size = image.evaluate('i => [i.complete, i.naturalWidth, i.naturalHeight, i.getBoundingClientRect().width]')
        image.screenshot(path=str(ARTIFACTS/'02_gradients_explorer_in_html.png'))
        page.screenshot(path=str(ARTIFACTS/'02_gradients_html_around_explorer.png'))
        text = page.inner_text('body')
    from PIL import Image
    import io
    width, height = Image.open(io.BytesIO(base64.b64decode(picture))).size
    assert size == [True, width, height, width], size          # drawn, at its own size
    assert 'VBox(children' not in text and 'FloatLogSlider(' not in text

def test_the_saved_picture_follows_changes_made_by_later_cells(tmp_path):
    "A widget changed from code in a later cell (as chapter 6 draws on its pad) is saved as it was left, not as it was first shown."
    from make_outputs import run_notebook
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in (
        "from neuralnets101.widgets import descent_explorer\nexplorer = descent_explorer()\nexplorer",
        "explorer.slider.value = 1.5",
        "print('nothing changes here')")])
    fname = tmp_path/'later.ipynb'
    nbformat.write(nb, fname)
    nb = run_notebook(fname, {'PYTHONPATH': str(ROOT), 'MPLBACKEND': 'module://matplotlib_inline.backend_inline'}, timeout=120)
    outputs = widget_outputs(nb)
    assert len(outputs) == 1, nb.cells[0].outputs
    assert outputs[0]['data']['text/plain'].startswith('learning-rate explorer, sliders at learning rate 1.5:'), outputs[0]['data']['text/plain']
    assert 'the loss grew' in outputs[0]['data']['text/plain']
