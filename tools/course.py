"""The course's notebooks in one place: which are lessons, in which order, and which lesson needs another one's output.

Every tool reads this module (make_outputs, check_outputs, run_tests, test_colab, stamp_colab, the README check), so a
new chapter is one line in `LESSONS` (see CONTRIBUTING.md). Standard library only: tools/test_colab.py runs on any Python."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/'nbs'

LESSONS = [   # in reading order; a learner's course, each with a row in nbs/index.ipynb's chapter table
    '00_data', '01_pixel_similarity', '02_gradients', '03_sgd', '04_fastai_lowlevel',
    '05_faster_training', '06_handwriting', '07_backprop_by_hand',
]
OPTIONAL = {'05_faster_training', '06_handwriting', '07_backprop_by_hand'}          # "Going further": a learner may stop before them
NEEDS = {'06_handwriting': ['05_faster_training']}           # reads what another lesson saves (chapter 5's model)
COLAB_TOO = ['80_colab', '82_widgets']                       # maintainer notebooks that must also run in Colab
MAINTAINER_OUTPUTS = ['80_colab', '81_mnist', '82_widgets', '83_draw', '90_bench', '95_checkers', '96_solutions']   # maintainer notebooks
# saved with their outputs, run on the offline subset (`make outputs-maintainer`), so that each function's output shows next to it
NUMBERING = {'0': 'lesson', '8': 'machinery', '9': 'benchmarks, checkers and solutions'}   # first digit of a file name

def notebooks() -> list:
    "Every notebook in nbs/, in file-name order (index.ipynb last)."
    return sorted(NBS.glob('[!_.]*.ipynb'), key=lambda p: (p.name == 'index.ipynb', p.name))

def lesson_paths() -> list: return [NBS/f'{name}.ipynb' for name in LESSONS]

def maintainer_paths() -> list: return [NBS/f'{name}.ipynb' for name in MAINTAINER_OUTPUTS]

def is_lesson(fname) -> bool:
    "Is `fname` a lesson notebook (for a learner), rather than machinery, the home page or a scratch file?"
    return Path(fname).stem in LESSONS or re.fullmatch(r'0\d_.*', Path(fname).stem) is not None

def in_run_order(files) -> list:
    "`files` with every lesson a file needs placed before it (and added when missing)."
    ordered = []
    def add(path):
        for need in NEEDS.get(Path(path).stem, []): add(NBS/f'{need}.ipynb')
        if Path(path) not in ordered: ordered.append(Path(path))
    for f in files: add(f)
    return ordered

def unlisted() -> list:
    "Lesson-numbered notebooks missing from `LESSONS`, and listed lessons with no notebook: both mistakes."
    on_disk = {p.stem for p in NBS.glob('0[0-9]_*.ipynb')}
    return sorted((on_disk - set(LESSONS)) | {f'{n} (listed, no notebook)' for n in set(LESSONS) - on_disk})
