"The saved-outputs check of the test command (tools/check_outputs.py), tried on planted notebooks."
import base64, io, json, sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from check_outputs import check_notebook, main

def _png() -> str:
    "A real PNG of a small picture, base64-encoded as notebooks store it."
    from PIL import Image
    buffer = io.BytesIO()
    Image.new('L', (28, 28), 128).save(buffer, format='PNG')
    return base64.b64encode(buffer.getvalue()).decode()

PICTURE = {'output_type': 'display_data', 'metadata': {}, 'data': {'image/png': _png(), 'text/plain': ['<Figure size 960x240 with 16 Axes>']}}

def plant(folder:Path, name:str, *outputs, padding:int=0) -> Path:
    "Write a notebook `name` whose one code cell has `outputs` (and `padding` bytes of markdown)."
    cells = [{'cell_type': 'markdown', 'metadata': {}, 'source': ['x' * padding]},
             {'cell_type': 'code', 'execution_count': None, 'metadata': {}, 'source': ['show()'], 'outputs': list(outputs)}]
    fname = folder/name
    fname.write_text(json.dumps({'cells': cells, 'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}))
    return fname

def stream(text, name='stdout'): return {'output_type': 'stream', 'name': name, 'text': text}
def plain(text): return {'output_type': 'execute_result', 'execution_count': None, 'metadata': {}, 'data': {'text/plain': [text]}}

def test_a_good_lesson_passes(tmp_path):
    fname = plant(tmp_path, '00_data.ipynb', PICTURE, stream('7,000 threes\n'), plain("Path('training/3/10.png')"))
    assert check_notebook(fname) == []

def test_an_error_output_fails(tmp_path):
    error = {'output_type': 'error', 'ename': 'ValueError', 'evalue': 'bad digit', 'traceback': ['ValueError: bad digit']}
    assert 'an error in the output (ValueError: bad digit)' in ' '.join(check_notebook(plant(tmp_path, '01_x.ipynb', PICTURE, error)))

def test_a_printed_traceback_fails(tmp_path):
    text = 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: nope\n'
    assert any('a traceback' in p for p in check_notebook(plant(tmp_path, '01_x.ipynb', PICTURE, stream(text, 'stderr'))))

def test_a_printed_error_message_is_fine(tmp_path):
    "A lesson shows an error by printing a caught exception: that is not a traceback."
    fname = plant(tmp_path, '00_x.ipynb', PICTURE, stream('digit must be one of (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), got 11\n'))
    assert check_notebook(fname) == []

@pytest.mark.parametrize('text', ["Path('/root/.fastai/data/mnist_png')", "/home/ann/.fastai/data", "Path('/Users/bob/x')",
    "/tmp/ipykernel_123/456.py:1: MnistSubsetWarning: ...", "/work/main/.venv/lib/python3.11/site-packages/torch/x.py",
    "/private/var/folders/x", r"C:\Users\ann\.fastai\data", "/content/drive/x"])
def test_an_absolute_path_fails(tmp_path, text):
    problems = check_notebook(plant(tmp_path, '00_x.ipynb', PICTURE, plain(text)))
    assert len(problems) == 1 and 'an absolute path in the output' in problems[0], problems

@pytest.mark.parametrize('text', ["Path('training/3')", "https://example.com/home/page", "~/.fastai/data/mnist_png", "data/tmp/x"])
def test_relative_paths_and_urls_are_fine(tmp_path, text):
    assert check_notebook(plant(tmp_path, '00_x.ipynb', PICTURE, plain(text))) == []

def test_a_path_in_html_fails_but_not_in_a_picture(tmp_path):
    html = {'output_type': 'display_data', 'metadata': {}, 'data': {'text/html': ['<pre>/home/ann/x</pre>']}}
    assert check_notebook(plant(tmp_path, '00_x.ipynb', PICTURE, html))
    picture = {**PICTURE, 'data': {'image/png': PICTURE['data']['image/png'] + '/home/x'}}
    assert check_notebook(plant(tmp_path, '00_y.ipynb', picture)) == []

def test_a_notebook_over_the_size_limit_fails(tmp_path):
    problems = check_notebook(plant(tmp_path, '90_x.ipynb', padding=1_600_000))
    assert len(problems) == 1 and 'over the 1.5 MB limit' in problems[0]

def test_a_lesson_without_a_picture_fails_and_says_how_to_fix_it(tmp_path):
    problems = check_notebook(plant(tmp_path, '03_sgd.ipynb', stream('hello\n')))
    assert problems == ["03_sgd.ipynb: a lesson with no picture in its saved outputs (run `make outputs` to save the lessons with their outputs)"]
    assert check_notebook(plant(tmp_path, '90_bench.ipynb', stream('hello\n'))) == []   # maintainer notebooks need none

def test_warnings_are_reported_only_when_asked(tmp_path):
    fname = plant(tmp_path, '00_x.ipynb', PICTURE, stream('x.py:3: FutureWarning: soon gone\n', 'stderr'))
    assert check_notebook(fname) == []
    assert 'a warning in the output' in check_notebook(fname, warnings=True)[0]

def html(text): return {'output_type': 'display_data', 'metadata': {}, 'data': {'text/html': [text], 'text/plain': ['<IPython.core.display.HTML object>']}}
BAR_STYLE = html('\n<style>\n    progress { width: 300px; }\n</style>\n')
TABLE = html('<table class="fastprogress"><tr><td>0</td><td>0.129939</td></tr></table>')

def test_outputs_left_by_vanished_progress_bars_fail(tmp_path):
    "A bar that disappears when done leaves its styles and a blank output: blank space for a reader."
    problems = check_notebook(plant(tmp_path, '05_x.ipynb', BAR_STYLE, html(''), PICTURE))
    assert problems == ["05_x.ipynb, cell 1: 2 empty output(s) left by progress bars that disappeared (run `make outputs` to save the lessons with their outputs)"]

def test_styles_a_table_on_screen_uses_are_kept(tmp_path):
    assert check_notebook(plant(tmp_path, '04_x.ipynb', BAR_STYLE, TABLE, PICTURE)) == []

def test_make_outputs_drops_only_the_empty_outputs():
    import nbformat
    from make_outputs import drop_finished_bars
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('fit()'), nbformat.v4.new_code_cell('show()')])
    nb.cells[0].outputs = [nbformat.from_dict(o) for o in (BAR_STYLE, TABLE, html(' '))]
    nb.cells[1].outputs = [nbformat.from_dict(o) for o in (BAR_STYLE, html(''), stream('3 epochs\n'), PICTURE)]
    drop_finished_bars(nb)
    assert nb.cells[0].outputs == [BAR_STYLE, TABLE]
    assert nb.cells[1].outputs == [stream('3 epochs\n'), PICTURE]

def test_the_command_exits_non_zero_on_a_bad_notebook(tmp_path, capsys):
    good, bad = plant(tmp_path, '00_a.ipynb', PICTURE), plant(tmp_path, '01_b.ipynb', PICTURE, plain('/root/x'))
    assert main([str(good)]) == 0
    assert main([str(good), str(bad)]) == 1
    assert '01_b.ipynb, cell 1: an absolute path' in capsys.readouterr().out

def test_make_outputs_refuses_to_run_without_full_mnist():
    import os, subprocess
    env = {k: v for k, v in os.environ.items() if k != 'NEURALNETS101_MNIST'}
    result = subprocess.run([sys.executable, str(ROOT/'tools'/'make_outputs.py')], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and 'set NEURALNETS101_MNIST=' in result.stdout

def test_chapter_6_outputs_come_with_chapter_5s_model(capsys):
    "Chapter 6 reads the model chapter 5 saves: saving its outputs alone would use whatever model a test run left."
    from make_outputs import lessons
    assert [f.name for f in lessons([str(ROOT/'nbs'/'06_handwriting.ipynb')])] == ['05_faster_training.ipynb', '06_handwriting.ipynb']
    assert 'running 05_faster_training.ipynb first' in capsys.readouterr().out
    assert [f.name for f in lessons([str(ROOT/'nbs'/'03_sgd.ipynb')])] == ['03_sgd.ipynb']

VIEW = 'application/vnd.jupyter.widget-view+json'
def widget_output(text, png=True):
    data = {VIEW: {'version_major': 2, 'version_minor': 0, 'model_id': 'abc'}, 'text/plain': [text]}
    if png: data['image/png'] = PICTURE['data']['image/png']
    return {'output_type': 'display_data', 'metadata': {}, 'data': data}

@pytest.mark.parametrize('text', ["VBox(children=(HBox(children=(FloatLogSlider(value=0.1, …", '<neuralnets101.draw.DigitPad object>',
                                  '<neuralnets101.draw.DigitPad object at 0x7f3a2c>', 'IntSlider(value=3)'])
def test_a_widget_shown_as_a_raw_repr_fails(tmp_path, text):
    problems = check_notebook(plant(tmp_path, '02_x.ipynb', PICTURE, widget_output(text)))
    assert len(problems) == 1 and 'a widget whose text is a raw repr' in problems[0], problems

def test_a_widget_without_a_picture_fails_and_one_with_a_picture_and_a_sentence_passes(tmp_path):
    problems = check_notebook(plant(tmp_path, '02_x.ipynb', PICTURE, widget_output('learning-rate explorer, sliders at learning rate 0.1: ...', png=False)))
    assert len(problems) == 1 and 'a widget with no picture of it' in problems[0], problems
    assert check_notebook(plant(tmp_path, '02_y.ipynb', PICTURE, widget_output('drawing pad (draw with the mouse where widgets run): I read a 7'))) == []
    problems = check_notebook(plant(tmp_path, '82_y.ipynb', PICTURE, widget_output('VBox(children=()')))   # maintainer notebooks too
    assert len(problems) == 1 and 'a widget whose text is a raw repr' in problems[0] and 'make outputs-maintainer' in problems[0], problems

def state(*models): return {'application/vnd.jupyter.widget-state+json': {'state': dict(models), 'version_major': 2, 'version_minor': 0}}
def model(children=(), **extra): return {'model_name': 'VBoxModel', 'state': {'children': [f'IPY_MODEL_{c}' for c in children], **extra}}

def test_saved_widget_state_over_50_kb_fails(tmp_path):
    fname = plant(tmp_path, '06_x.ipynb', PICTURE)
    nb = json.loads(fname.read_text()); nb['metadata']['widgets'] = state(('abc', model(value='x' * 60_000)))
    fname.write_text(json.dumps(nb))
    problems = check_notebook(fname)
    assert len(problems) == 1 and 'KB of saved widget state, over the 50 KB limit' in problems[0], problems

def test_make_outputs_saves_no_widget_state():
    import nbformat
    from make_outputs import drop_widget_state
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('pad')])
    nb.cells[0].outputs = [nbformat.from_dict(widget_output('a pad'))]
    nb.metadata['widgets'] = state(('abc', model(['kid'])), ('kid', model()))
    assert 'widgets' not in drop_widget_state(nb).metadata
    assert nb.cells[0].outputs[0]['data']['image/png']    # the picture stays

def test_a_maintainer_notebook_saved_without_outputs_fails(tmp_path):
    problems = check_notebook(plant(tmp_path, '95_checkers.ipynb'))
    assert len(problems) == 1 and 'a maintainer notebook saved without outputs' in problems[0] and 'make outputs-maintainer' in problems[0], problems
    assert check_notebook(plant(tmp_path, '95_checkers.ipynb', stream('✓ one image\n'))) == []
    assert check_notebook(plant(tmp_path, '90_other.ipynb')) == []          # not listed: saved without outputs is fine

def test_one_offline_notice_is_allowed_and_any_other_warning_is_noise():
    from check_outputs import noise
    notice = stream('/x.py:3: MnistSubsetWarning: Full MNIST is not available here\n', 'stderr')
    other = stream('/x.py:9: UserWarning: something else\n', 'stderr')
    cells = lambda *outputs: [{'cell_type': 'code', 'outputs': list(outputs)}]
    assert noise(cells(notice, stream('7,000 threes\n'))) == []
    assert noise(cells(notice, notice)) == [notice['text']]
    assert noise(cells(other)) == [other['text']]

def test_every_maintainer_notebook_that_keeps_outputs_exists():
    import course
    assert [p.name for p in course.maintainer_paths() if not p.is_file()] == []
    assert not set(course.MAINTAINER_OUTPUTS) & set(course.LESSONS)

def test_make_outputs_names_no_temporary_kernel_file():
    import nbformat
    from make_outputs import drop_kernel_paths
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('report = check(f)')])
    notice = '/tmp/ipykernel_1335/3982587866.py:5: MnistSubsetWarning: Full MNIST is not available here\n  report = check(f)\n'
    nb.cells[0].outputs = [nbformat.v4.new_output('stream', name='stderr', text=notice), nbformat.v4.new_output('stream', name='stdout', text='/tmp/ipykernel_1/2.py\n')]
    drop_kernel_paths(nb)
    assert nb.cells[0].outputs[0]['text'] == '<cell>:5: MnistSubsetWarning: Full MNIST is not available here\n  report = check(f)\n'
    assert nb.cells[0].outputs[1]['text'] == '/tmp/ipykernel_1/2.py\n'   # only a warning's location is rewritten
