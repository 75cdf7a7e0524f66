"""Every measured number a learner reads agrees with bench/results.json (see tools/measured.py and CONTRIBUTING.md).

Reads only committed files: no data, no network, no benchmark run."""
import copy, json, re, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from measured import (QUOTED, CLAIMS, NOT_FROM_RESULTS, GENERATED, RESULTS, load_results, value, notebook_text, unexplained_numbers,
                      results_section, pct, fixed)
from course import LESSONS

ENTRIES = ['course', 'course offline', 'final', 'final --busy 1', 'final offline']   # what the README's table shows
results = load_results()

def _id(item): return f"{item.file}: {item.text if hasattr(item, 'text') else item.start}"[:80]

def test_the_results_file_holds_every_entry_with_when_and_where():
    from neuralnets101.bench import read_results, result_key
    test_results = read_results(RESULTS)   # the package's own check of the format
    assert sorted(test_results) == sorted(ENTRIES), f"bench/results.json has {sorted(test_results)}; the README's table shows {ENTRIES}"
    for key, entry in test_results.items():
        assert result_key(entry['result']) == key, f"{key!r} holds a result that --save would file under {result_key(entry['result'])!r}"
        measured = entry['measured']
        assert re.fullmatch(r'\d{4}-\d\d-\d\d', measured['date']), (key, measured['date'])
        assert {'cpu', 'cores', 'gpu', 'torch', 'python'} <= set(measured['machine']), (key, measured['machine'])
        assert entry['result']['seed'] == 42, key

@pytest.mark.parametrize('quoted', QUOTED, ids=_id)
def test_each_quoted_number_is_what_the_results_file_says(quoted):
    phrase = quoted.render(results)
    text = notebook_text(quoted.file)
    if phrase not in text:
        start = quoted.text.split('{}')[0][-40:]
        near = [line.strip()[:300] for line in text.splitlines() if start.strip() and start.strip() in line]
        pytest.fail(f"nbs/{quoted.file}.ipynb should read {phrase!r} (from bench/results.json), but does not.\n"
                    f"Near it now: {near or 'nothing: the sentence was rewritten; update tools/measured.py'}")

@pytest.mark.parametrize('claim', CLAIMS, ids=_id)
def test_each_claim_in_words_holds_for_the_results_file(claim):
    assert claim.text in notebook_text(claim.file), f"nbs/{claim.file}.ipynb no longer says {claim.text!r}: update CLAIMS in tools/measured.py"
    assert claim.check(results), f"nbs/{claim.file}.ipynb says {claim.text!r}, but bench/results.json disagrees ({claim.why})"

@pytest.mark.parametrize('exception', NOT_FROM_RESULTS, ids=_id)
def test_each_listed_exception_is_still_in_its_notebook(exception):
    "A stale exception would let a new number through unnoticed."
    text = notebook_text(exception.file)
    assert exception.start in text, f"nbs/{exception.file}.ipynb no longer contains {exception.start!r}: remove or update it in NOT_FROM_RESULTS"
    if exception.end: assert exception.end in text[text.index(exception.start):], (exception.file, exception.end)

@pytest.mark.parametrize('name', [*LESSONS, 'index'])
def test_every_measured_looking_number_is_accounted_for(name):
    found = unexplained_numbers(name, results)
    assert not found, ("numbers that look measured but are neither quoted from bench/results.json nor listed as not measured "
                       "(add each to QUOTED, CLAIMS or NOT_FROM_RESULTS in tools/measured.py):\n" + '\n'.join(found))

def test_the_readme_table_is_written_from_the_results_file():
    cells = [c for c in json.loads((ROOT/'nbs'/'index.ipynb').read_text())['cells'] if ''.join(c['source']).startswith(GENERATED)]
    assert len(cells) == 1 and ''.join(cells[0]['source']) == results_section(results), "run: make readme"
    readme = (ROOT/'README.md').read_text()
    final = results['final']['result']
    for number in (pct(2)(final['accuracy_without_tta']), f"{fixed(1)(final['epoch_s'])} / {fixed(1)(final['compute_only_epoch_s'])}",
                   pct(1)(results['course']['result']['simple_net_acc'])):
        assert number in readme, number

def test_the_scan_finds_numbers_with_units_and_skips_sizes():
    text = "It took 7.6 s, 30 s and 2 minutes; 98.2, 98.4 and 98.8 %; 4.2 times as long; a 28×28 picture; 3s and 7s; 5 points."
    found = unexplained_numbers('index', {}, text)
    assert [f.split(': ')[1].split(' in')[0] for f in found] == ["'7.6 s'", "'30 s'", "'2 minutes'", "'98.2, 98.4 and 98.8 %'", "'4.2 times'", "'5 points'"], found

def test_formats_round_as_the_prose_does():
    assert (pct(2)(0.9949), pct(1)(0.9949), pct(0)(0.9511), fixed(1)(7.642), fixed(0)(29.82)) == ('99.49 %', '99.5 %', '95 %', '7.6', '30')
    with pytest.raises(KeyError, match="no entry 'nonsense'"): value(results, 'nonsense:accuracy')
    with pytest.raises(KeyError, match="has no 'accuracy_somehow'"): value(results, 'final:accuracy_somehow')
    assert (value(results, 'course:lr_sweep.1.lr'), value(results, 'course:lr_sweep.2.lr')) == (0.001, 0.01)   # as QUOTED assumes

def _copy_of_the_project(tmp_path:Path) -> Path:
    for folder in ('nbs', 'tools', 'bench', 'neuralnets101'): shutil.copytree(ROOT/folder, tmp_path/folder, ignore=shutil.ignore_patterns('__pycache__', '.ipynb_checkpoints'))
    (tmp_path/'tests').mkdir()
    shutil.copy2(ROOT/'tests'/'test_numbers.py', tmp_path/'tests')
    shutil.copy2(ROOT/'README.md', tmp_path)
    return tmp_path

def test_changing_one_number_in_the_results_file_fails_the_tests(tmp_path):
    "On a copy of the project: the final model's accuracy changes in bench/results.json, and the tests say where the prose is stale."
    copy_root = _copy_of_the_project(tmp_path)
    changed = copy.deepcopy(results)
    changed['final']['result']['accuracy_without_tta'] = 0.9912
    (copy_root/'bench'/'results.json').write_text(json.dumps(changed, indent=1) + '\n')
    run = subprocess.run([sys.executable, '-m', 'pytest', 'tests/test_numbers.py', '-q', '-p', 'no:cacheprovider',
                          '-k', 'not changing_one_number'], cwd=copy_root, capture_output=True, text=True, timeout=300)
    assert run.returncode != 0, run.stdout[-3000:]
    assert "should read 'about 99.1 % without test-time augmentation" in run.stdout, run.stdout[-3000:]   # chapter 5's introduction
    assert "the final model reached 99.12 % without test-time augmentation" in run.stdout                   # chapter 5's result
    assert "'99.49 %'" in run.stdout                       # the old number, now unexplained
    assert "test_the_readme_table_is_written_from_the_results_file FAILED" in run.stdout or \
           "FAILED tests/test_numbers.py::test_the_readme_table_is_written_from_the_results_file" in run.stdout, run.stdout[-3000:]
    # and the same copy with the file as committed passes
    shutil.copy2(RESULTS, copy_root/'bench'/'results.json')
    again = subprocess.run([sys.executable, '-m', 'pytest', 'tests/test_numbers.py', '-q', '-p', 'no:cacheprovider', '-k', 'not changing_one_number'],
                           cwd=copy_root, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout[-3000:]
