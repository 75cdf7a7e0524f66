"The README's open-course command, `make lab`, serves the course notebooks on localhost."
import json, urllib.request
from pathlib import Path
from conftest import free_port, fresh_jupyter_env, running_server

ROOT = Path(__file__).resolve().parents[1]

def test_make_lab_serves_the_notebooks(tmp_path):
    port, token = free_port(), 'neuralnets101-lab-test'
    base = f'http://127.0.0.1:{port}'
    cmd = ['make', '-s', 'lab', f'LAB_ARGS=--no-browser --ip=127.0.0.1 --port={port} --ServerApp.token={token}']
    with running_server(cmd, fresh_jupyter_env(tmp_path), f'{base}/api/status?token={token}', tmp_path/'lab.log', cwd=ROOT):
        listing = json.loads(urllib.request.urlopen(f'{base}/api/contents?token={token}', timeout=10).read())
        names = {item['name'] for item in listing['content']}
        assert {'index.ipynb', '00_data.ipynb', '03_sgd.ipynb', '04_fastai_lowlevel.ipynb'} <= names, names
        assert 'JupyterLab' in urllib.request.urlopen(f'{base}/lab?token={token}', timeout=10).read().decode()
