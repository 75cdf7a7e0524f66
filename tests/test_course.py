"""tools/course.py, the one list of lessons, and CONTRIBUTING.md's checklist for adding a chapter: followed with a dummy
chapter on a copy of the project, every tool picks the chapter up."""
import json, re, shutil, subprocess, sys, textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT/'tools'))
import course

def test_every_lesson_is_listed_once_and_exists():
    assert course.unlisted() == []
    assert len(set(course.LESSONS)) == len(course.LESSONS)
    assert set(course.OPTIONAL) <= set(course.LESSONS) and set(course.NEEDS) <= set(course.LESSONS)

def test_every_lesson_has_a_row_on_the_home_page():
    index = ''.join(''.join(c['source']) for c in json.loads((ROOT/'nbs'/'index.ipynb').read_text())['cells'])
    assert [name for name in course.LESSONS if f'[{name}]({name}.ipynb)' not in index] == []

def test_a_lesson_runs_after_what_it_needs():
    nbs = ROOT/'nbs'
    assert course.in_run_order([nbs/'06_handwriting.ipynb']) == [nbs/'05_faster_training.ipynb', nbs/'06_handwriting.ipynb']
    assert course.in_run_order(course.lesson_paths()) == course.lesson_paths()

def modules_without_tests(root:Path=ROOT) -> list:
    "Modules of the package with no `tests/test_<module>.py` (CONTRIBUTING.md: one test file per module)."
    modules = [p.stem for p in sorted((root/'neuralnets101').glob('*.py')) if not p.stem.startswith('_')]
    return [m for m in modules if not (root/'tests'/f'test_{m}.py').is_file()]

def test_every_module_has_its_own_test_file(tmp_path):
    assert modules_without_tests() == []
    (tmp_path/'neuralnets101').mkdir(); (tmp_path/'tests').mkdir()
    for name in ('__init__', '_modidx', 'lesson', 'machinery'): (tmp_path/'neuralnets101'/f'{name}.py').write_text('')
    (tmp_path/'tests'/'test_lesson.py').write_text('')
    (tmp_path/'tests'/'test_machinery_in_a_browser.py').write_text('')   # another name does not count
    assert modules_without_tests(tmp_path) == ['machinery']

def checklist_steps() -> list:
    "The numbered steps of CONTRIBUTING.md's 'Adding a chapter', first lines only."
    section = (ROOT/'CONTRIBUTING.md').read_text().split('## Adding a chapter')[1].split('\n## ')[0]
    return re.findall(r'^\d+\. (.+)$', section, re.M)

def test_the_checklist_names_what_the_tools_need():
    steps = checklist_steps()
    assert len(steps) >= 5
    assert 'LESSONS' in steps[1] and 'tools/course.py' in steps[1]
    assert 'make clean-nbs' in steps[2] and 'make stamp' in steps[3] and 'make readme' in steps[4]

DUMMY = {'cells': [
    {'cell_type': 'markdown', 'metadata': {}, 'source': ['# A dummy chapter\n', '\n', '> Only for the test of the checklist.']},
    {'cell_type': 'code', 'execution_count': None, 'metadata': {}, 'outputs': [], 'source': ['#| default_exp dummy']},
    {'cell_type': 'code', 'execution_count': None, 'metadata': {}, 'outputs': [],
     'source': ['#| export\n', 'def dummy_answer() -> int:\n', '    "The answer."\n', '    return 42']},
    {'cell_type': 'code', 'execution_count': None, 'metadata': {}, 'outputs': [], 'source': ['assert dummy_answer() == 42']}],
    'metadata': {'kernelspec': {'display_name': 'python3', 'language': 'python', 'name': 'python3'}}, 'nbformat': 4, 'nbformat_minor': 5}

def git(*args, cwd): return subprocess.run(['git', *args], cwd=cwd, check=True, capture_output=True, text=True).stdout

def test_a_dummy_chapter_that_follows_the_checklist_is_picked_up_by_every_tool(tmp_path):
    copy = tmp_path/'course'
    for name in ('nbs', 'neuralnets101', 'tools', 'tests', 'colab', 'bench'):
        shutil.copytree(ROOT/name, copy/name, ignore=shutil.ignore_patterns('__pycache__', '.ipynb_checkpoints', 'models'))
    for name in ('pyproject.toml', 'README.md', 'CONTRIBUTING.md', 'Makefile', '.gitignore'): shutil.copy2(ROOT/name, copy)
    git('init', '-q', cwd=copy); git('add', '-A', cwd=copy)
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'copy', cwd=copy)
    env = {'PYTHONPATH': str(copy), 'PATH': f"{BIN}:/usr/bin:/bin", 'HOME': str(tmp_path)}
    run = lambda *cmd: subprocess.run([str(c) for c in cmd], cwd=copy, env=env, capture_output=True, text=True)
    # 1. the notebook
    (copy/'nbs'/'08_dummy.ipynb').write_text(json.dumps(DUMMY, indent=1))
    listed = run(BIN/'python', '-c', 'import sys; sys.path.insert(0, "tools"); import run_tests; print(run_tests.check_lessons_listed())')
    assert "('lessons listed in tools/course.py', False)" in listed.stdout and 'add the lesson to LESSONS' in listed.stdout, listed
    # 2. the list of lessons
    course_py = copy/'tools'/'course.py'
    course_py.write_text(re.sub(r"(LESSONS = \[.*?)(\n\])", r"\1 '08_dummy',\2", course_py.read_text(), count=1, flags=re.S))
    # 3. export and clean
    for cmd in ('nbdev-export', 'nbdev-clean'):
        result = run(BIN/cmd); assert result.returncode == 0, result.stderr
    assert 'def dummy_answer' in (copy/'neuralnets101'/'dummy.py').read_text()
    # 4. commit, stamp, commit
    git('add', '-A', cwd=copy); git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'dummy chapter', cwd=copy)
    stamped = run(BIN/'python', 'tools/stamp_colab.py')
    assert stamped.returncode == 0 and 'stamped nbs/08_dummy.ipynb' in stamped.stdout, stamped
    before = (copy/'nbs'/'08_dummy.ipynb').read_text()
    assert run(BIN/'nbdev-clean').returncode == 0 and (copy/'nbs'/'08_dummy.ipynb').read_text() == before, "stamping left the notebook unclean"
    # 5. the home page and the README
    index = copy/'nbs'/'index.ipynb'
    nb = json.loads(index.read_text())
    table = next(c for c in nb['cells'] if '## The chapters' in ''.join(c['source']))
    table['source'][-1] += '\n| [08_dummy](08_dummy.ipynb) (optional) | A dummy chapter | 1 s / 1 s |'
    index.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    assert run(BIN/'python', 'tools/make_readme.py').returncode == 0
    # every tool now knows the chapter
    probe = textwrap.dedent('''
        import json, sys; sys.path.insert(0, 'tools')
        import course, run_tests, make_outputs, check_outputs, test_colab
        from neuralnets101.colab import notebook_is_stamped, package_commit
        nb = course.NBS/'08_dummy.ipynb'
        print(json.dumps(dict(
            unlisted=course.unlisted(), tested=nb in run_tests.notebooks(), outputs=nb in make_outputs.lessons([]),
            lesson=check_outputs.is_lesson(nb), colab=nb in test_colab.lesson_paths(),
            stamped=notebook_is_stamped(nb, package_commit(course.ROOT)))))''')
    result = run(BIN/'python', '-c', probe)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == dict(unlisted=[], tested=True, outputs=True, lesson=True, colab=True, stamped=True)
    assert '[08_dummy](nbs/08_dummy.ipynb)' in (copy/'README.md').read_text()
    tests = run(BIN/'python', '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_course.py', '-k', 'listed or home_page', 'tests/test_readme.py')
    assert tests.returncode == 0, tests.stdout[-3000:]
    checked = run(BIN/'nbdev-test', 'nbs/08_dummy.ipynb')
    assert checked.returncode == 0, checked.stdout + checked.stderr
