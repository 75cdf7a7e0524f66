"Give every course notebook its Colab badge and setup cell (see nbs/80_colab.ipynb)."
from pathlib import Path
from neuralnets101.colab import stamp_notebook

ROOT = Path(__file__).resolve().parents[1]
for nb in sorted((ROOT/'nbs').glob('*.ipynb')):
    if stamp_notebook(nb): print('stamped', nb.relative_to(ROOT))
