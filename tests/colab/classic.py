"Driving the classic Notebook 6.5 from Playwright: run all cells, wait for the kernel, list error outputs."
import time

def kernel_idle(page) -> bool:
    return page.evaluate("""() => !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel
        && Jupyter.notebook.kernel.is_connected() && !Jupyter.notebook.kernel_busy
        && document.querySelector('#kernel_indicator_icon.kernel_idle_icon')
        && Jupyter.notebook.get_cells().every(c => c.cell_type !== 'code' || c.input_prompt_number !== '*'))""")

def wait_idle(page, timeout=300):
    "Wait until the kernel is idle and no cell is queued or running."
    deadline = time.time() + timeout
    while time.time() < deadline:
        if kernel_idle(page): return
        time.sleep(0.5)
    raise TimeoutError("kernel did not become idle")

def open_and_run_all(page, url:str, timeout=600):
    "Open a notebook in the classic Notebook, run all cells from the Cell menu, wait until the kernel is idle."
    page.goto(url)
    page.wait_for_function("() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()",
                           timeout=90_000)
    wait_idle(page, 90)
    page.click('#celllink')
    page.click('#run_all_cells')
    page.wait_for_function("() => Jupyter.notebook.get_cells().some(c => c.input_prompt_number !== undefined && c.input_prompt_number !== null)",
                           timeout=30_000)
    page.wait_for_timeout(1_000)
    wait_idle(page, timeout)

def output_errors(page) -> list:
    "Tracebacks and widget failures shown in the notebook (warnings on stderr are not counted)."
    texts = page.locator('.output_error').all_inner_texts()
    texts += [t for t in page.locator('.output_subarea').all_inner_texts() if 'Error displaying widget' in t or 'Traceback' in t]
    return [t for t in texts if t.strip()]
