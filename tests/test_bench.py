"Tests of the benchmarks' command line and of `busy_processes`, which keeps cores busy beside a benchmark. All fast."
import os, signal, subprocess, sys, time
from pathlib import Path
import pytest
from neuralnets101.bench import parse_args, busy_processes, main, usable_cores

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
    assert parse_args(['final']) == ('final', 0)
    assert parse_args(['course']) == ('course', 0)
    assert parse_args(['final', '--busy', '1']) == ('final', 1)
    assert parse_args(['--busy', '0', 'final']) == ('final', 0)
    assert parse_args(['final', '--busy=1']) == ('final', 1)
    assert parse_args(['final', '--busy', str(len(usable_cores()))]) == ('final', len(usable_cores()))

@pytest.mark.parametrize('argv, message', [
    ([], 'usage: python -m neuralnets101.bench {course|final} [--busy N]; got nothing'),
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
