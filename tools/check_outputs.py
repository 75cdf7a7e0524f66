"""Check the saved outputs of the course notebooks: what a reader sees before running anything.

A notebook fails when one of its outputs holds an error or a traceback, an absolute path of some machine
(`/home/...`, `C:\\Users\\...`), when a progress bar that disappeared when done left an empty output behind,
when the file is over 1.5 MB, when a widget's output carries no picture of it or only a raw repr as its text (a page
where widgets don't run would show nothing, or `VBox(children=...`), or when its saved widget state is over 50 KB;
a lesson (as tools/course.py lists them) also fails when it has no picture at all, and a maintainer notebook that
tools/course.py lists in `MAINTAINER_OUTPUTS` when it was saved without outputs.
`python tools/check_outputs.py [NOTEBOOK ...]` checks the given notebooks, or every notebook in nbs/; it prints
one line per problem and exits non-zero if there is any."""
import json, re, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from course import is_lesson, notebooks, MAINTAINER_OUTPUTS

ROOT = Path(__file__).resolve().parents[1]
MAX_BYTES = 1_500_000
ABSOLUTE_PATH = re.compile(r'(?<![\w.~-])(/(root|home|Users|tmp|work|private|var/folders|mnt|opt|content)/'
                           r'|[A-Za-z]:\\\\?[A-Za-z])')
TRACEBACK = re.compile(r'Traceback \(most recent call last\)')
FIX = "run `make outputs` to save the lessons with their outputs"
FIX_MAINTAINER = "run `make outputs-maintainer` to save the maintainer notebooks with their outputs"
WIDGET_VIEW, WIDGET_STATE = 'application/vnd.jupyter.widget-view+json', 'application/vnd.jupyter.widget-state+json'
MAX_WIDGET_STATE = 50_000
RAW_REPR = re.compile(r'^\s*(<[\w.]+ object( at 0x[0-9a-f]+)?>|[A-Z]\w*\((children|value)=)')

def widget_problems(output:dict) -> list:
    "What a page without widgets would miss in one widget output: a picture, and a sentence instead of a raw repr."
    data = output.get('data', {})
    if WIDGET_VIEW not in data: return []
    problems = [] if 'image/png' in data else ["a widget with no picture of it (where widgets don't run it shows nothing)"]
    text = _text(data.get('text/plain', ''))
    if not text.strip() or RAW_REPR.search(text): problems.append(f"a widget whose text is a raw repr: {text.strip()[:60]!r}")
    return problems


def _text(value): return ''.join(value) if isinstance(value, list) else value if isinstance(value, str) else json.dumps(value)

def output_texts(output:dict):
    "The readable texts of one output (stream text, error text, and text-like display data; never images)."
    if output.get('output_type') == 'stream': yield _text(output.get('text', ''))
    elif output.get('output_type') == 'error':
        yield '\n'.join([f"{output.get('ename')}: {output.get('evalue')}"] + output.get('traceback', []))
    for mime, data in output.get('data', {}).items():
        if mime.startswith('text/') or mime.endswith('json'):
            yield _text(data)

STYLE = re.compile(r'<style>.*?</style>', re.S)

def _html(output:dict) -> str: return _text(output.get('data', {}).get('text/html', ''))

def finished_bars(
    outputs:list,  # the outputs of one cell
) -> list:         # indices of the outputs that show nothing
    "Outputs left by progress bars that disappeared when done: HTML that is blank, or only styles no other output of the cell uses."
    html = [_html(o) for o in outputs]
    visible = [STYLE.sub('', h).strip() for h in html]
    shown = any(visible)   # a table or a bar still on screen uses the styles
    return [i for i, (o, h, v) in enumerate(zip(outputs, html, visible))
            if o.get('output_type') == 'display_data' and 'text/html' in o.get('data', {})
            and set(o['data']) <= {'text/html', 'text/plain'} and not v and not (shown and STYLE.search(h))]

def warnings_shown(
    cells:list,  # a notebook's cells (as JSON dicts or nbformat nodes)
) -> list:       # the text of each stderr output that carries a warning
    "Texts of the stderr outputs that carry a warning."
    texts = [_text(o.get('text', '')) for c in cells for o in c.get('outputs', []) if o.get('name') == 'stderr']
    return [t for t in texts if 'Warning' in t]

SUBSET_NOTICE = 'MnistSubsetWarning'   # the one warning a notebook run on the offline subset may show, once

def noise(
    cells:list,  # a notebook's cells, run on the offline subset
) -> list:       # the texts of the warnings beyond one offline notice
    "Warnings a notebook shows beyond the one notice that it runs on the offline subset."
    shown = warnings_shown(cells)
    notices = [w for w in shown if SUBSET_NOTICE in w]
    return [w for w in shown if SUBSET_NOTICE not in w] + notices[1:]

def _strip_ansi(text): return re.sub(r'\x1b\[[0-9;]*m', '', text)

def check_notebook(
    fname:Path,           # a .ipynb file
    warnings:bool=False,  # also report every stderr output that carries a warning
) -> list:                # one message per problem, empty when the notebook is fine
    "Problems in the saved outputs of one notebook."
    fname = Path(fname)
    name = fname.relative_to(ROOT) if fname.is_relative_to(ROOT) else fname.name
    size = fname.stat().st_size
    problems = [f"{name}: {size/1e6:.2f} MB, over the {MAX_BYTES/1e6:.1f} MB limit (smaller figures or fewer outputs)"] if size > MAX_BYTES else []
    try: cells = json.loads(fname.read_text(encoding='utf-8'))['cells']
    except (ValueError, KeyError) as e: return problems + [f"{name}: not a readable notebook ({type(e).__name__}: {e})"]
    pictures = 0
    for i, cell in enumerate(cells):
        if empty := finished_bars(cell.get('outputs', [])):
            problems.append(f"{name}, cell {i}: {len(empty)} empty output(s) left by progress bars that disappeared ({FIX})")
        for output in cell.get('outputs', []):
            pictures += 'image/png' in output.get('data', {})
            problems += [f"{name}, cell {i}: {p} ({FIX if is_lesson(fname) else FIX_MAINTAINER})" for p in widget_problems(output)]
            if output.get('output_type') == 'error':
                problems.append(f"{name}, cell {i}: an error in the output ({output.get('ename')}: {output.get('evalue')})"); continue
            for text in map(_strip_ansi, output_texts(output)):
                if TRACEBACK.search(text): problems.append(f"{name}, cell {i}: a traceback in the output")
                if m := ABSOLUTE_PATH.search(text):
                    line = next(l for l in text.splitlines() if m.group(0) in l)
                    problems.append(f"{name}, cell {i}: an absolute path in the output: {line.strip()[:120]!r}")
                if warnings and output.get('name') == 'stderr' and 'Warning' in text:
                    problems.append(f"{name}, cell {i}: a warning in the output: {text.strip()[:160]!r}")
    state = json.dumps(json.loads(fname.read_text(encoding='utf-8')).get('metadata', {}).get('widgets', {}))
    if len(state) > MAX_WIDGET_STATE:
        problems.append(f"{name}: {len(state)/1e3:.0f} KB of saved widget state, over the {MAX_WIDGET_STATE/1e3:.0f} KB limit ({FIX if is_lesson(fname) else FIX_MAINTAINER})")
    if fname.stem in MAINTAINER_OUTPUTS and not any(cell.get('outputs') for cell in cells):
        problems.append(f"{name}: a maintainer notebook saved without outputs ({FIX_MAINTAINER})")
    if is_lesson(fname) and not pictures:
        problems.append(f"{name}: a lesson with no picture in its saved outputs ({FIX})")
    return problems

def main(args=None):
    names = sys.argv[1:] if args is None else args
    warnings = '--warnings' in names
    files = [Path(n).resolve() for n in names if n != '--warnings'] or notebooks()
    problems = [p for f in files for p in check_notebook(f, warnings)]
    for p in problems: print(p)
    print(f"checked the outputs of {len(files)} notebooks: " + (f"{len(problems)} problems" if problems else "all fine"))
    return 1 if problems else 0

if __name__ == '__main__': sys.exit(main())
