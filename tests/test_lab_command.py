"The README's open-course command, `make lab`, serves the course notebooks on localhost."
import json, os, signal, socket, subprocess, time, urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_make_lab_serves_the_notebooks(tmp_path):
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]
    token = 'neuralnets101-lab-test'
    env = {**os.environ, 'JUPYTER_CONFIG_DIR': str(tmp_path/'config'), 'JUPYTER_RUNTIME_DIR': str(tmp_path/'runtime'),
           'JUPYTERLAB_WORKSPACES_DIR': str(tmp_path/'workspaces'), 'JUPYTERLAB_SETTINGS_DIR': str(tmp_path/'settings')}
    args = f'--no-browser --ip=127.0.0.1 --port={port} --ServerApp.token={token}'
    log = open(tmp_path/'lab.log', 'w')
    server = subprocess.Popen(['make', '-s', 'lab', f'LAB_ARGS={args}'], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        deadline, listing = time.time() + 90, None
        while listing is None:
            try: listing = json.loads(urllib.request.urlopen(f'http://127.0.0.1:{port}/api/contents?token={token}', timeout=2).read())
            except OSError:
                assert server.poll() is None and time.time() < deadline, (tmp_path/'lab.log').read_text()[-2000:]
                time.sleep(0.5)
        names = {item['name'] for item in listing['content']}
        assert {'index.ipynb', '00_data.ipynb', '03_sgd.ipynb', '04_fastai_lowlevel.ipynb'} <= names, names
        page = urllib.request.urlopen(f'http://127.0.0.1:{port}/lab?token={token}', timeout=10).read().decode()
        assert 'JupyterLab' in page
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try: server.wait(15)
        except subprocess.TimeoutExpired: os.killpg(server.pid, signal.SIGKILL)
        log.close()
