"""The contents manager `make lab` serves the course with.

When JupyterLab 4 starts a notebook's kernel it writes the kernel's `kernelspec` (with its `display_name`) and the
`language_info` the kernel reports into the notebook's metadata, and marks the notebook modified unless the file already
held exactly those. The committed lessons hold what nbdev-clean writes (`kernelspec` with `display_name` set to the
kernel's name, no `language_info`), which depends on no learner's Python. This manager adds what JupyterLab would write
when it serves a notebook, and takes exactly that out again when it saves one, so the lessons open unmodified and an
unchanged lesson is saved as the committed bytes."""
import copy, json, os, sys
from functools import lru_cache
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

def _same_python(cmd:str) -> bool:
    "Does the kernel command `cmd` run this process's Python? (jupyter_client runs 'python', 'python3', 'python3.11' as it.)"
    if cmd in {'python', f'python{sys.version_info[0]}', 'python{}.{}'.format(*sys.version_info[:2])}: return True
    try: return os.path.samefile(cmd, sys.executable)
    except OSError: return False

@lru_cache(maxsize=None)
def kernel_metadata(name:str, spec_manager=None):
    """The `kernelspec` and `language_info` JupyterLab writes for the kernel `name`, or None when they can't be known here.

    Known only for an ipykernel that runs on this server's own Python (the native `python3` kernel of `make lab`): its
    `language_info` is ipykernel's own, with this Python's version, the same dict the kernel sends when it starts.
    `spec_manager` finds the kernel (the server's own; jupyter_client's default without one)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    try: spec = (spec_manager or KernelSpecManager()).get_kernel_spec(name)
    except NoSuchKernel: return None
    if not hasattr(spec, 'argv'): return None   # a spec manager that answers asynchronously (a gateway): not this server's
    if not (spec.argv and _same_python(spec.argv[0]) and 'ipykernel_launcher' in spec.argv): return None
    from ipykernel.ipkernel import IPythonKernel
    return ({'display_name': spec.display_name, 'language': spec.language, 'name': name},
            copy.deepcopy(IPythonKernel.language_info))

def fill_kernel_metadata(nb:dict, known=kernel_metadata) -> dict:
    """A copy of the notebook `nb` whose metadata holds what JupyterLab writes when the kernel `nb` names starts.

    Only `metadata.kernelspec` and `metadata.language_info` change; a notebook naming no kernel, or a kernel `known`
    returns None for, comes back unchanged (as the same object). `known(name)` gives (kernelspec, language_info)."""
    name = nb.get('metadata', {}).get('kernelspec', {}).get('name')
    found = known(name) if name else None
    if found is None: return nb
    kernelspec, language_info = found
    return {**nb, 'metadata': {**nb['metadata'], 'kernelspec': copy.deepcopy(kernelspec), 'language_info': copy.deepcopy(language_info)}}

def restore_saved_metadata(nb:dict, on_disk:dict, known=kernel_metadata) -> dict:
    """`nb`, about to be saved over `on_disk`, with what `fill_kernel_metadata` added to `on_disk` taken out again.

    Only when `nb`'s `kernelspec` and `language_info` are exactly those filled in: then they become `on_disk`'s again
    (no `language_info` when it had none). Any other metadata (another kernel, another Python) is saved as it is."""
    filled = fill_kernel_metadata(on_disk, known)
    if filled is on_disk: return nb
    meta, keys = nb.get('metadata', {}), ('kernelspec', 'language_info')
    if any(meta.get(k) != filled['metadata'][k] for k in keys): return nb
    restored = {k: v for k, v in meta.items() if k not in keys}
    for k in keys:
        if k in on_disk['metadata']: restored[k] = copy.deepcopy(on_disk['metadata'][k])
    return {**nb, 'metadata': restored}

class CourseContentsManager(AsyncLargeFileManager):
    "Jupyter's file contents manager, serving notebooks with the kernel metadata JupyterLab writes and saving them without it."
    async def get(self, path, content=True, type=None, format=None, **kwargs):
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if model.get('type') == 'notebook' and model.get('content'):
            try: model['content'] = _as_notebook(fill_kernel_metadata(model['content'], self._kernel_metadata))
            except Exception as e: self.log.warning("course_contents: served %s without filling its metadata: %r", path, e)
        return model

    async def save(self, model, path=''):
        if model.get('type') == 'notebook' and model.get('content'):
            try:
                os_path = self._get_os_path(path.strip('/'))
                if os.path.isfile(os_path):
                    with open(os_path, encoding='utf-8') as f: on_disk = json.load(f)
                    model = {**model, 'content': restore_saved_metadata(model['content'], on_disk, self._kernel_metadata)}
            except Exception as e: self.log.warning("course_contents: saved %s as JupyterLab sent it: %r", path, e)
        return await super().save(model, path)

    def _kernel_metadata(self, name):
        "`kernel_metadata` for the kernel `name`, found by this server's kernel spec manager."
        return kernel_metadata(name, getattr(self.parent, 'kernel_spec_manager', None))

def _as_notebook(nb):
    "`nb` as the NotebookNode the server's model holds (attribute access, as jupyter_server's own code expects)."
    import nbformat
    return nb if isinstance(nb, nbformat.NotebookNode) else nbformat.from_dict(nb)
