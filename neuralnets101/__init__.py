__version__ = "0.0.1"

# Importing fastai makes torch warn that `torch.jit.script` is deprecated (fastai.layers scripts a few activations):
# a dependency's own deprecation that no learner can act on. Silenced here, where the package is imported, so any
# course import before fastai's quiets it, whichever module it is. Explained and tested in nbs/81_mnist.ipynb.
import warnings as _warnings
_warnings.filterwarnings('ignore', message=r'`torch\.jit\.script` is deprecated', category=FutureWarning, module=r'torch\.jit\._script')
