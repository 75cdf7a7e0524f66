"""What a page where widgets don't run shows (a repository page, `jupyter nbconvert --to html`).

Every lesson that tools/course.py lists, as committed with its saved outputs, is converted once with
`jupyter nbconvert --to html` and opened in one headless Chromium with every network request refused. Each widget
output of the notebook (an output with the widget-view type) must appear on the page as its own PNG picture, drawn
at a real size, and no raw repr of a widget (`VBox(children=...`, `<neuralnets101... object>`) may show.
Chapter 2 is also run afresh, the way `make outputs` saves it, to check that today's code still leaves that picture.
Screenshots of every widget picture and of the page around it go to test-artifacts/static/."""
import base64, io, re, subprocess, sys
from pathlib import Path
import nbformat, pytest
from browser import chromium_page

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT/'test-artifacts'/'static'
sys.path.insert(0, str(ROOT/'tools'))
from course import LESSONS, lesson_paths

WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'
RAW_REPR = re.compile(r'VBox\(children=|HBox\(children=|FloatLogSlider\(|<neuralnets101[\w.]* object')

def widget_outputs(nb) -> list:
    "The outputs of `nb` that display a widget."
    return [o for c in nb.cells for o in c.get('outputs', []) if WIDGET_VIEW in o.get('data', {})]

def to_html(notebooks:list, folder:Path) -> dict:
    "Convert `notebooks` with one `jupyter nbconvert --to html` call into `folder`; map each name to its page."
    subprocess.run([Path(sys.executable).parent/'jupyter', 'nbconvert', '--to', 'html', '--output-dir', str(folder), *map(str, notebooks)],
                   check=True, capture_output=True)
    return {Path(nb).stem: folder/f'{Path(nb).stem}.html' for nb in notebooks}

@pytest.fixture(scope='module')
def offline_page():
    "One Chromium page for the whole module; every request that is not a local file is refused and recorded."
    refused = []
    def only_files(route):
        if route.request.url.startswith(('file:', 'data:')): route.continue_()
        else: refused.append(route.request.url); route.abort()
    with chromium_page(1000, 900) as page:
        page.route('**/*', only_files)
        page.refused = refused
        yield page

def picture_problems(page, page_file:Path, nb, name:str) -> list:
    "Open `page_file`; return what is wrong with how it shows the widget outputs of `nb` (empty when each is a picture)."
    from PIL import Image
    page.goto(page_file.as_uri())
    problems, shown = [], 0
    for i, output in enumerate(widget_outputs(nb)):
        picture = output['data'].get('image/png')
        if picture is None: problems.append(f"{name}: widget {i} has no picture in its output"); continue
        image = page.locator(f'.jp-OutputArea-output img[src^="data:image/png;base64,{picture[:200]}"]')
        if image.count() != 1: problems.append(f"{name}: widget {i}'s picture is on the page {image.count()} times, not once"); continue
        image.scroll_into_view_if_needed()
        complete, natural, box = image.evaluate('i => [i.complete, [i.naturalWidth, i.naturalHeight], '
                                                '[i.getBoundingClientRect().width, i.getBoundingClientRect().height]]')
        size = list(Image.open(io.BytesIO(base64.b64decode(picture))).size)
        if not (complete and natural == size and min(box) > 0 and image.is_visible()):
            problems.append(f"{name}: widget {i}'s picture is not drawn: complete {complete}, size {natural} (png {size}), box {box}")
            continue
        shown += 1
        image.screenshot(path=str(ARTIFACTS/f'{name}_widget{i}.png'))
        page.screenshot(path=str(ARTIFACTS/f'{name}_widget{i}_page.png'))
    raw = RAW_REPR.findall(page.inner_text('body'))
    if raw: problems.append(f"{name}: the page shows raw widget reprs: {raw[:3]}")
    if shown != len(widget_outputs(nb)): problems.append(f"{name}: {shown} of {len(widget_outputs(nb))} widgets shown as pictures")
    return problems

@pytest.fixture(scope='module')
def saved_lesson_pages(tmp_path_factory):
    "Every lesson as committed (its saved outputs, made by `make outputs` on full MNIST), converted to html."
    return to_html(lesson_paths(), tmp_path_factory.mktemp('pages'))

@pytest.mark.parametrize('lesson', LESSONS)
def test_every_widget_of_a_saved_lesson_is_a_picture_on_its_static_page(lesson, saved_lesson_pages, offline_page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(ROOT/'nbs'/f'{lesson}.ipynb', as_version=4)
    problems = picture_problems(offline_page, saved_lesson_pages[lesson], nb, lesson)
    assert not problems, '\n'.join(problems)

def test_the_lessons_have_widgets_to_show():
    "The lessons that teach with widgets still have them saved (else the test above would check nothing there)."
    counts = {name: len(widget_outputs(nbformat.read(path, as_version=4))) for name, path in zip(LESSONS, lesson_paths())}
    assert all(counts[name] >= 1 for name in ('02_gradients', '03_sgd', '06_handwriting')), counts

def test_the_page_check_catches_a_widget_without_a_picture(tmp_path, offline_page):
    "A copy of chapter 2 whose explorer lost its picture and kept only a raw repr must fail the page check."
    nb = nbformat.read(ROOT/'nbs'/'02_gradients.ipynb', as_version=4)
    output = widget_outputs(nb)[0]
    del output['data']['image/png']
    output['data']['text/plain'] = 'VBox(children=(HBox(children=(FloatLogSlider(value=0.1),)),))'
    nbformat.write(nb, tmp_path/'broken.ipynb')
    problems = picture_problems(offline_page, to_html([tmp_path/'broken.ipynb'], tmp_path)['broken'], nb, 'broken')
    assert any('no picture' in p for p in problems) and any('raw widget reprs' in p for p in problems), problems

@pytest.fixture(scope='module')
def chapter_2_saved(tmp_path_factory):
    "Chapter 2 run top to bottom in a fresh kernel (offline subset) and saved the way `make outputs` saves it."
    from make_outputs import run_notebook, drop_finished_bars, drop_widget_state
    nb = run_notebook(ROOT/'nbs'/'02_gradients.ipynb', {'NEURALNETS101_OFFLINE': '1', 'PYTHONPATH': str(ROOT),
                                                        'MPLBACKEND': 'module://matplotlib_inline.backend_inline'}, timeout=300)
    fname = tmp_path_factory.mktemp('static')/'fresh_02_gradients.ipynb'
    nbformat.write(drop_widget_state(drop_finished_bars(nb)), fname)
    return fname

def test_a_fresh_run_saves_each_widget_with_a_picture_and_a_sentence(chapter_2_saved):
    from check_outputs import widget_problems
    nb = nbformat.read(chapter_2_saved, as_version=4)
    outputs = widget_outputs(nb)
    assert len(outputs) == 1, outputs
    for output in outputs:
        assert widget_problems(output) == [], output['data']['text/plain']
        assert output['data']['text/plain'].startswith('learning-rate explorer, sliders at learning rate 0.1: learning rate 0.1: after 10 steps')
    assert 'widgets' not in nb.metadata

def test_a_fresh_run_shows_the_explorer_as_a_picture_offline(chapter_2_saved, offline_page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page_file = to_html([chapter_2_saved], chapter_2_saved.parent)['fresh_02_gradients']
    problems = picture_problems(offline_page, page_file, nbformat.read(chapter_2_saved, as_version=4), 'fresh_02_gradients')
    assert not problems, '\n'.join(problems)

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
