"Shared helpers for the tests: the MNIST folder, and starting JupyterLab."
import json, os, signal, socket, subprocess, time, urllib.request, warnings
import pytest
from contextlib import contextmanager
from pathlib import Path

def free_port() -> int:
    "A TCP port on localhost that nothing listens on right now."
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]

def fresh_jupyter_env(state:Path) -> dict:
    "Environment variables that give JupyterLab empty config, settings, workspaces and runtime folders under `state`."
    return {**os.environ, 'JUPYTER_CONFIG_DIR': str(state/'config'), 'JUPYTER_RUNTIME_DIR': str(state/'runtime'),
            'JUPYTERLAB_SETTINGS_DIR': str(state/'settings'), 'JUPYTERLAB_WORKSPACES_DIR': str(state/'workspaces'),
            'JUPYTER_DATA_DIR': str(state/'data'), 'PYTHONUNBUFFERED': '1'}

@contextmanager
def running_server(cmd:list, env:dict, ready_url:str, log_path:Path, cwd=None, timeout:float=90):
    "Start `cmd` in its own process group, wait until `ready_url` answers, yield, then stop the whole group."
    log = open(log_path, 'w')
    server = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + timeout
        while True:
            try:
                urllib.request.urlopen(ready_url, timeout=2).read()
                break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"server did not start: {Path(log_path).read_text()[-2000:]}")
                time.sleep(0.5)
        yield server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try: server.wait(15)
        except subprocess.TimeoutExpired: os.killpg(server.pid, signal.SIGKILL)
        log.close()

# tests/colab/ runs in the environment with Colab's package versions, started by `make test-colab`
collect_ignore = [] if os.environ.get('NEURALNETS101_COLAB_PYTHON') else ['colab']

@pytest.fixture(scope='session')
def path():
    "The MNIST folder that `find_mnist` finds (the offline subset without a network), its offline notice silenced."
    from neuralnets101.mnist import find_mnist
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return find_mnist().path
