"""Write README.md from nbs/index.ipynb (nbdev-readme needs Quarto, which this project does not require).

First the index's results section is written from bench/results.json (`measured.results_section`), so the README's table
shows what the benchmarks saved. `python tools/make_readme.py` rewrites both; `--check` exits 1 if either is out of step."""
import json, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from measured import GENERATED, RESULTS, load_results, results_section
INDEX = ROOT/'nbs'/'index.ipynb'

def results_cell(notebook:dict) -> dict:
    "The index's generated results cell: the markdown cell that starts with the generated-from comment."
    cells = [c for c in notebook['cells'] if c['cell_type'] == 'markdown' and ''.join(c['source']).startswith(GENERATED)]
    if len(cells) != 1: raise ValueError(f"expected one markdown cell starting with {GENERATED!r} in nbs/index.ipynb, got {len(cells)}")
    return cells[0]

def index_with_results(index=INDEX, results=RESULTS) -> str:
    "The text of nbs/index.ipynb with its results section written from `results`."
    notebook = json.loads(Path(index).read_text())
    results_cell(notebook)['source'] = results_section(load_results(results)).splitlines(keepends=True)
    return json.dumps(notebook, indent=1, ensure_ascii=False) + '\n'

def readme_text(index=INDEX):
    "README text: markdown cells as they are, visible code cells as python blocks."
    parts = []
    for cell in json.loads(Path(index).read_text())['cells']:
        source = ''.join(cell['source']).strip()
        if not source or source.startswith(('#| hide', '# Setup: in Google Colab')): continue   # the Colab set-up cell is for notebooks
        parts.append(source if cell['cell_type'] == 'markdown' else f"```python\n{source}\n```")
    text = '\n\n'.join(parts)
    text = re.sub(r'\]\((?!https?:)([\w.-]+\.ipynb)\)', r'](nbs/\1)', text)   # notebook links are relative to nbs/
    text = re.sub(r'\]\(\.\./([\w./-]+)\)', r'](\1)', text)                    # and so are links to the project's other files
    return '<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->\n\n' + text + '\n'

if __name__ == '__main__':
    readme = ROOT/'README.md'
    if '--check' in sys.argv:
        if ''.join(results_cell(json.loads(INDEX.read_text()))['source']) != results_section(load_results()): sys.exit('the results section of nbs/index.ipynb is out of step with bench/results.json: run make readme')
        if readme.read_text() != readme_text(): sys.exit('README.md is out of step with nbs/index.ipynb: run make readme')
    else:
        INDEX.write_text(index_with_results())
        subprocess.run([Path(sys.executable).parent/'nbdev-clean', '--fname', INDEX], cwd=ROOT, check=True)   # in nbdev's own layout
        readme.write_text(readme_text())
