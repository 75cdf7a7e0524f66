"""`make lab` serves the lessons with the kernel metadata JupyterLab writes, so they open unmodified, and saves an
unchanged lesson as the committed bytes (tools/lab/course_contents.py; CONTRIBUTING.md, "Notebook metadata")."""
import json, shutil, sys
from pathlib import Path
from browser import accept_dialogs, chromium_page, free_port, fresh_jupyter_env, jupyterlab, running_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'/'lab'))
from course_contents import fill_kernel_metadata, kernel_metadata, restore_saved_metadata

LESSON = ROOT/'nbs'/'02_gradients.ipynb'
LAB_KERNELSPEC = {'display_name': 'Python 3 (ipykernel)', 'language': 'python', 'name': 'python3'}
LANGUAGE_INFO = {'name': 'python', 'version': '3.11.2', 'mimetype': 'text/x-python', 'codemirror_mode': {'name': 'ipython', 'version': 3},
                 'pygments_lexer': 'ipython3', 'nbconvert_exporter': 'python', 'file_extension': '.py'}
def known(name): return (LAB_KERNELSPEC, LANGUAGE_INFO) if name == 'python3' else None

def test_fill_adds_what_jupyterlab_writes_and_nothing_else():
    nb = json.loads(LESSON.read_text())
    before = json.dumps(nb, sort_keys=True)
    filled = fill_kernel_metadata(nb, known)
    assert filled['metadata'] == {**nb['metadata'], 'kernelspec': LAB_KERNELSPEC, 'language_info': LANGUAGE_INFO}
    assert filled['cells'] == nb['cells'] and filled['nbformat'] == nb['nbformat'] and filled['nbformat_minor'] == nb['nbformat_minor']
    assert json.dumps(nb, sort_keys=True) == before, "the notebook given was changed"
    filled['metadata']['language_info']['version'] = 'changed'
    assert LANGUAGE_INFO['version'] == '3.11.2', "the filled notebook shares its dicts with the kernel's"

def test_fill_leaves_other_notebooks_alone():
    no_kernel = {'cells': [], 'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}
    other = {'cells': [], 'metadata': {'kernelspec': {'display_name': 'R', 'language': 'R', 'name': 'ir'}}, 'nbformat': 4, 'nbformat_minor': 5}
    assert fill_kernel_metadata(no_kernel, known) is no_kernel
    assert fill_kernel_metadata(other, known) is other

def test_restore_takes_out_exactly_what_was_filled():
    nb = json.loads(LESSON.read_text())
    assert restore_saved_metadata(fill_kernel_metadata(nb, known), nb, known) == nb
    # a learner who switched Python (another version) or kernel keeps what JupyterLab sent
    other_python = fill_kernel_metadata(nb, known)
    other_python['metadata']['language_info'] = {**LANGUAGE_INFO, 'version': '3.12.1'}
    assert restore_saved_metadata(other_python, nb, known) is other_python
    # metadata a learner added beside the kernel's is kept
    tagged = fill_kernel_metadata(nb, known)
    tagged['metadata']['tags'] = ['mine']
    assert restore_saved_metadata(tagged, nb, known)['metadata'] == {**nb['metadata'], 'tags': ['mine']}

def test_kernel_metadata_is_what_the_python3_kernel_reports():
    "The in-process answer for `make lab`'s native kernel equals the kernel_info a started kernel sends."
    from jupyter_client.manager import start_new_kernel
    kernelspec, language_info = kernel_metadata('python3')
    km, kc = start_new_kernel(kernel_name='python3')
    try: reply = kc.kernel_info(reply=True, timeout=60)['content']
    finally: km.shutdown_kernel(now=True)
    assert language_info == reply['language_info']
    assert kernelspec == {'display_name': 'Python 3 (ipykernel)', 'language': 'python', 'name': 'python3'}
    assert kernel_metadata('no-such-kernel') is None

def open_and_save(base:str, token:str, name:str):
    "Open notebook `name` in Chromium, wait for its kernel, and return (dirty after open, dirty after Ctrl+S)."
    def dirty(page): return 'jp-mod-dirty' in (page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current').first.get_attribute('class') or '')
    with chromium_page(1000, 620) as page:
        page.goto(f'{base}/lab/tree/{name}?reset&token={token}')
        page.locator('.jp-Notebook .jp-Cell').first.wait_for(timeout=90_000)
        page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').first.wait_for(timeout=90_000)
        accept_dialogs(page)
        page.wait_for_timeout(5000)   # JupyterLab writes the kernel's metadata just after the kernel answers
        opened = dirty(page)
        page.locator('.jp-Notebook').first.click()
        page.keyboard.press('Control+s')
        page.wait_for_timeout(4000)
        return opened, dirty(page)

def test_make_lab_opens_a_lesson_unmodified_and_saves_it_unchanged(tmp_path):
    nbs = tmp_path/'nbs'; nbs.mkdir()
    shutil.copy(LESSON, nbs/LESSON.name)
    # the control: a plain JupyterLab marks the lesson modified on open, and its save changes the file
    state = tmp_path/'plain'
    with jupyterlab(nbs, state, fresh_jupyter_env(state), tmp_path/'plain.log') as base:
        opened, _ = open_and_save(base, 'neuralnets101-test-token', LESSON.name)
    assert opened, "a plain JupyterLab no longer marks the committed lesson modified: update CONTRIBUTING.md's table"
    assert (nbs/LESSON.name).read_bytes() != LESSON.read_bytes()
    shutil.copy(LESSON, nbs/LESSON.name)
    copied = (nbs/LESSON.name).stat().st_mtime_ns
    # `make lab`, with the README's command and a throw-away copy of the lesson as its folder
    state = tmp_path/'lab'
    (state/'app').mkdir(parents=True)
    (state/'app'/'overrides.json').write_text(json.dumps({'@jupyterlab/apputils-extension:notification': {'fetchNews': 'false'}}))
    port, token = free_port(), 'neuralnets101-lab-test'
    base = f'http://127.0.0.1:{port}'
    cmd = ['make', '-s', 'lab', f'LAB_DIR={nbs}',
           f'LAB_ARGS=--no-browser --ip=127.0.0.1 --port={port} --ServerApp.token={token} --LabApp.app_settings_dir={state/"app"}']
    with running_server(cmd, fresh_jupyter_env(state), f'{base}/api/status?token={token}', tmp_path/'lab.log', cwd=ROOT):
        opened, saved = open_and_save(base, token, LESSON.name)
    log = (tmp_path/'lab.log').read_text()
    assert 'course_contents:' not in log, log[-3000:]   # no warning from the contents manager
    assert not opened, "make lab: the lesson opened modified"
    assert not saved, "make lab: the lesson is still marked modified after saving"
    assert (nbs/LESSON.name).stat().st_mtime_ns > copied, "make lab: Ctrl+S did not save the lesson"
    assert (nbs/LESSON.name).read_bytes() == LESSON.read_bytes(), "make lab: saving the unchanged lesson changed the file"
