"""Write README.md from nbs/index.ipynb (nbdev-readme needs Quarto, which this project does not require).

`python tools/make_readme.py` rewrites README.md; `--check` exits 1 if README.md is out of step."""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def readme_text(index=ROOT/'nbs'/'index.ipynb'):
    "README text: markdown cells as they are, visible code cells as python blocks."
    parts = []
    for cell in json.loads(index.read_text())['cells']:
        source = ''.join(cell['source']).strip()
        if not source or source.startswith(('#| hide', '# Setup: in Google Colab')): continue   # the Colab set-up cell is for notebooks
        parts.append(source if cell['cell_type'] == 'markdown' else f"```python\n{source}\n```")
    text = '\n\n'.join(parts)
    text = re.sub(r'\]\((?!https?:)([\w.-]+\.ipynb)\)', r'](nbs/\1)', text)   # notebook links are relative to nbs/
    text = re.sub(r'\]\(\.\./([\w./-]+)\)', r'](\1)', text)                    # and so are links to the project's other files
    return '<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->\n\n' + text + '\n'

if __name__ == '__main__':
    text, readme = readme_text(), ROOT/'README.md'
    if '--check' in sys.argv:
        if readme.read_text() != text: sys.exit('README.md is out of step with nbs/index.ipynb: run python tools/make_readme.py')
    else: readme.write_text(text)
