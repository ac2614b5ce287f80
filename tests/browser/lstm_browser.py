"""Drive the series' widgets as a learner meets them: JupyterLab 4 or Notebook 7 in Chromium.

Used by tests/browser (conftest.py, test_widgets_browser.py) and by the Makefile, which runs
this file to list the notebooks that have widgets:

    python tests/browser/lstm_browser.py          # one widget notebook path a line

Nothing here installs anything: Chromium is Debian's (tools/install_browser.sh), driven by the
`playwright` Python package from the `browser` extra; playwright's own browser download is
never used. Importing this module does not import playwright, so the listing works without it.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[2]
# LSTM_BROWSER_NOTEBOOKS=folder tests the notebooks of another folder (a scratch notebook, say).
NOTEBOOKS = pathlib.Path(os.environ.get("LSTM_BROWSER_NOTEBOOKS") or ROOT / "notebooks")
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
TIMINGS = ARTIFACTS / "browser_timings.json"

WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
USES_WIDGETS = re.compile(r"lstm_lessons\.widgets|from\s+lstm_lessons\s+import\s+[^\n]*\bwidgets\b")

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# The network is closed on CI and developer machines: without these Chromium keeps dialling out
# (component updates, sync, QUIC probes) and floods the log with refused connections.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOW_TO_GET_CHROMIUM = (
    "no Chromium was found (looked at LSTM_CHROMIUM, then for " + ", ".join(CHROMIUM_NAMES) + " on PATH). "
    "Install it with `sudo bash tools/install_browser.sh` (runs `apt-get install chromium` on "
    "Debian; on Ubuntu `sudo apt install chromium-browser`), or point LSTM_CHROMIUM at a "
    "Chrome/Chromium binary. Playwright's own browser download is not used.")

# Console errors that are not ours and do no harm, matched on frontend, kind, the phase of the
# test ("load": opening the page, before Run All) and the message (for "Failed to load resource",
# the message ends with the address in brackets). Everything else fails the test.
#   Notebook 7 (7.6) throws the first two while opening any notebook, an empty one without
#   widgets too; nothing visible breaks, and JupyterLab raises neither:
#   - its shortcuts plugin reads the settings schema of a plugin that is not loaded yet;
#   - its file browser restore runs "filebrowser:open-path", which the notebook page lacks.
#   - jupyter_server (2.x) answers 403 for some of Notebook 7's font files once JupyterLab has
#     been opened on the same server: FileFindHandler caches a static file's location by file
#     name alone, and JupyterLab's copy of the same hashed font lies outside Notebook 7's
#     static folder ("... is not in root static directory" in the server log).
KNOWN_HARMLESS = [
    ("notebook7", "pageerror", "load", re.compile(r"^Cannot read properties of undefined \(reading 'schema'\)$")),
    ("notebook7", "pageerror", "load", re.compile(r"^Command 'filebrowser:open-path' not registered\.$")),
    # at any phase: the font request can land while cells already run
    ("notebook7", "console", None, re.compile(r"^Failed to load resource: the server responded with a status of "
                                               r"403 \(Forbidden\) \(http://127\.0\.0\.1:\d+/static/notebook/"
                                               r"[0-9a-f]+\.woff2?\)$")),
]

# The network is closed on CI: the browser gets a blank answer for every address that is not
# the test's server (the Colab and Binder badges of each notebook), so no "Failed to load
# resource" comes from the network. A learner's browser loads them.
BLANK_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'


def is_known_harmless(frontend: str, kind: str, phase: str, text: str) -> bool:
    return any(f == frontend and k == kind and p in (None, phase) and rx.search(text) for f, k, p, rx in KNOWN_HARMLESS)


# --- which notebooks have widgets

def has_widgets(path: pathlib.Path) -> bool:
    """A notebook has widgets if its saved outputs hold a widget view or its code uses lstm_lessons.widgets."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", ""))
        if USES_WIDGETS.search(source):
            return True
        if any(WIDGET_VIEW_MIME in out.get("data", {}) for out in cell.get("outputs", [])):
            return True
    return False


def widget_notebooks(folder: pathlib.Path = NOTEBOOKS) -> list:
    return [p for p in sorted(folder.glob("[0-9][0-9]_*.ipynb")) if has_widgets(p)]


def find_chromium():
    """Debian's Chromium (or another Chrome) on PATH, or LSTM_CHROMIUM; None if there is none."""
    given = os.environ.get("LSTM_CHROMIUM")
    if given:
        return given if os.access(given, os.X_OK) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "x"


# --- a JupyterLab server on a temporary copy of the notebooks

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterServer:
    """`jupyter lab` on 127.0.0.1 with a token, serving a temporary copy of notebooks/.

    The same server answers JupyterLab (/lab) and Notebook 7 (/notebooks). Its config, data,
    runtime and settings folders are temporary too, so nothing a developer has set leaks in.
    The kernels import lstm_lessons from this checkout (PYTHONPATH) and print their errors
    into the server log, which the tests read.
    """

    def __init__(self, notebooks: list, python: str = sys.executable):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="lstm-browser-"))
        self.root = self.tmp / "notebooks"
        self.root.mkdir()
        for path in notebooks:
            shutil.copy2(path, self.root / path.name)
        for extra in ("data", "images"):  # what the notebooks may read next to themselves
            if (NOTEBOOKS / extra).is_dir():
                shutil.copytree(NOTEBOOKS / extra, self.root / extra)
        self.port = _free_port()
        self.token = uuid.uuid4().hex
        self.python = python
        self.log_path = self.tmp / "server.log"
        self.proc = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base}{path}?token={self.token}"

    def _settings(self, config: pathlib.Path) -> None:
        user = config / "lab" / "user-settings" / "@jupyterlab"
        # No "get notified about Jupyter news?" toast over the widgets, and no update check.
        (user / "apputils-extension").mkdir(parents=True)
        (user / "apputils-extension" / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False}))

    def start(self, timeout: float = 120) -> "JupyterServer":
        config = self.tmp / "config"
        self._settings(config)
        env = dict(os.environ)
        env.update({
            "PATH": os.path.dirname(self.python) + os.pathsep + env.get("PATH", ""),
            "PYTHONPATH": str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""),
            "JUPYTER_CONFIG_DIR": str(config),
            "JUPYTER_DATA_DIR": str(self.tmp / "data"),
            "JUPYTER_RUNTIME_DIR": str(self.tmp / "runtime"),
            "IPYTHONDIR": str(self.tmp / "ipython"),
            "MPLCONFIGDIR": str(self.tmp / "mpl"),
            "PYTHONUNBUFFERED": "1",
        })
        args = [self.python, "-m", "jupyterlab", "--no-browser",
                "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
                # window.jupyterapp, to run all cells and read the kernel's state from the page
                "--LabApp.expose_app_in_browser=True", "--JupyterNotebookApp.expose_app_in_browser=True",
                "--LabApp.extension_manager=readonly"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--allow-root")  # CI runs as root
        self._log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen(args, env=env, stdout=self._log, stderr=subprocess.STDOUT, cwd=self.tmp)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status")
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def api(self, method: str, path: str):
        req = urllib.request.Request(self.base + path, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """End every session, so the next notebook does not share the 2 cores with an idle kernel."""
        try:
            for session in self.api("GET", "/api/sessions"):
                self.api("DELETE", f"/api/sessions/{session['id']}")
            for kernel in self.api("GET", "/api/kernels"):
                self.api("DELETE", f"/api/kernels/{kernel['id']}")
        except (urllib.error.URLError, OSError):
            pass

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if getattr(self, "_log", None):
            self._log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def kernel_tracebacks(log: str) -> list:
    """Tracebacks the kernels printed to the server log (an exception in a widget callback lands here)."""
    found, lines = [], log.splitlines()
    for i, line in enumerate(lines):
        if "Traceback (most recent call last)" in line:
            block = [line]
            for nxt in lines[i + 1:i + 40]:
                block.append(nxt)
                if nxt and not nxt.startswith((" ", "\t")) and "Traceback" not in nxt:
                    break  # the exception line ends the traceback
            found.append("\n".join(block))
    return found


# --- the page: JavaScript run in the browser

FRONTEND_URL = {"lab": "/lab/workspaces/{ws}/tree/{name}", "notebook7": "/notebooks/{name}"}

JS_PANEL = """
(name) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  const cands = [app.shell.currentWidget, ...Array.from(app.shell.widgets ? app.shell.widgets('main') : [])];
  return cands.find(w => w && w.context && w.context.path && w.context.path.endsWith(name) && w.sessionContext) || null;
}
"""

JS_KERNEL_READY = """
(name) => {
  const panel = (%s)(name);
  if (!panel || !panel.context.isReady) return false;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}
""" % JS_PANEL

JS_RUN_ALL = """
async (name) => {
  const app = window.jupyterapp;
  const panel = (%s)(name);
  app.shell.activateById(panel.id);
  await panel.sessionContext.ready;
  return await app.commands.execute('notebook:run-all-cells');
}
""" % JS_PANEL

# Idle: the kernel is idle and no cell is queued or running ([*]).
JS_IDLE = """
(name) => {
  const panel = (%s)(name);
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  const prompts = Array.from(panel.node.querySelectorAll('.jp-InputArea-prompt'));
  return !prompts.some(p => p.textContent.includes('*'));
}
""" % JS_PANEL

# What went wrong in the cells: error outputs, tracebacks or warnings on stderr, widgets that
# could not be displayed; both in the cells' own outputs and inside Output widgets (the figures).
JS_PROBLEMS = """
(name) => {
  const panel = (%s)(name);
  const problems = [];
  const cells = panel.content.widgets;
  cells.forEach((cell, i) => {
    if (cell.model.type !== 'code') return;
    const tags = (cell.model.getMetadata ? cell.model.getMetadata('tags') : cell.model.metadata.tags) || [];
    if (tags.includes('raises-exception')) return;  // a cell that shows an error on purpose (nbval's tag)
    const outputs = cell.model.outputs.toJSON();
    for (const out of outputs) {
      if (out.output_type === 'error')
        problems.push(`cell ${i + 1}: ${out.ename}: ${out.evalue}`);
      if (out.output_type === 'stream' && out.name === 'stderr' &&
          /Traceback|Error|Exception|Warning/.test([].concat(out.text).join('')))
        problems.push(`cell ${i + 1} wrote to stderr: ${[].concat(out.text).join('').slice(0, 600)}`);
    }
  });
  panel.node.querySelectorAll('.widget-output [data-mime-type="application/vnd.jupyter.stderr"]').forEach(el => {
    problems.push(`a widget's output shows: ${el.textContent.slice(0, 600)}`);
  });
  panel.node.querySelectorAll('.jupyter-widgets-error-widget').forEach(el => {
    problems.push(`a widget could not be displayed: ${el.textContent.slice(0, 300)}`);
  });
  return problems;
}
""" % JS_PANEL

# The name of each widget on the page, in the order of the .lstm-figure elements: the class
# name from its output's text/plain ("ForgetGateDemo(f=0.9)") and the number of its cell.
JS_WIDGET_NAMES = """
(name) => {
  const panel = (%s)(name);
  const seen = new Map();
  return Array.from(panel.node.querySelectorAll('.lstm-figure')).map(fig => {
    const cellNode = fig.closest('.jp-Cell');
    const i = panel.content.widgets.findIndex(c => c.node === cellNode);
    if (i < 0) return null;
    const k = seen.get(i) || 0; seen.set(i, k + 1);
    const views = panel.content.widgets[i].model.outputs.toJSON()
      .filter(o => o.data && o.data['application/vnd.jupyter.widget-view+json']);
    const text = views[k] ? [].concat(views[k].data['text/plain'] || '').join('') : '';
    return `${(text.split('(')[0] || 'widget').trim()} (cell ${i + 1})`;
  });
}
""" % JS_PANEL

JS_EXECUTION_COUNTS = """
(name) => (%s)(name).content.widgets.filter(c => c.model.type === 'code').map(c => c.model.executionCount)
""" % JS_PANEL

# Everything the kernel reports as an error on IOPub, wherever it goes: an exception in a widget
# callback is sent as stderr with the comm message as parent, which no cell shows (JupyterLab
# puts it in its log console), so it is caught here.
JS_WATCH_IOPUB = """
(name) => {
  const panel = (%s)(name);
  const kernel = panel.sessionContext.session.kernel;
  window.__lstmIopubErrors = [];
  kernel.iopubMessage.connect((_, msg) => {
    const type = msg.header.msg_type, c = msg.content;
    if (type === 'error')
      window.__lstmIopubErrors.push(`${c.ename}: ${c.evalue}`);
    else if (type === 'stream' && c.name === 'stderr' && /Traceback|Error|Exception|Warning/.test(c.text))
      window.__lstmIopubErrors.push(c.text.slice(-1500));
  });
  return true;
}
""" % JS_PANEL
JS_IOPUB_ERRORS = "() => window.__lstmIopubErrors || []"

# Kernel-side bookkeeping of every FigureWidget alive in the kernel, read with a silent user
# expression (no output, no history): frames sent, time of the last, exact frames sent, whether
# the frame on show is exact, and its generation (each PNG carries it, see frame_info below).
KERNEL_EXPR = ("__import__('json').dumps([[id(o), o.redraws, o.last_redraw_s, o.exact_redraws, o.exact, o.generation] "
               "for o in __import__('gc').get_objects() "
               "if issubclass(type(o), __import__('lstm_lessons.widgets', fromlist=['FigureWidget']).FigureWidget)])")
JS_KERNEL_WIDGETS = """
async ([name, expr]) => {
  const panel = (%s)(name);
  const kernel = panel.sessionContext.session.kernel;
  const future = kernel.requestExecute({code: '', silent: true, store_history: false,
                                        user_expressions: {w: expr}});
  const reply = await future.done;
  const r = reply.content.user_expressions.w;
  if (!r || r.status !== 'ok') return null;
  return JSON.parse(r.data['text/plain'].slice(1, -1));  // the repr of a str of JSON
}
""" % JS_PANEL

# ipywidgets shows an Image's bytes through a blob: URL. Keep each blob, so the test can read the
# PNG on show and the frame it says it is (the engine writes {"generation", "exact", "values"} into
# a tEXt chunk "lstm-frame" of every PNG it sends).
JS_KEEP_BLOBS = """
() => {
  if (window.__lstmBlobs) return true;
  window.__lstmBlobs = new Map();
  const create = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (obj) => {
    const url = create(obj);
    if (obj instanceof Blob) {
      window.__lstmBlobs.set(url, obj);
      if (window.__lstmBlobs.size > 2000) window.__lstmBlobs.delete(window.__lstmBlobs.keys().next().value);
    }
    return url;
  };
  window.__lstmFrame = async (url) => {
    const blob = window.__lstmBlobs.get(url);
    if (!blob) return null;
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const view = new DataView(bytes.buffer);
    let pos = 8;
    while (pos + 8 <= bytes.length) {
      const length = view.getUint32(pos);
      const tag = String.fromCharCode(...bytes.slice(pos + 4, pos + 8));
      if (tag === 'tEXt') {
        const body = new TextDecoder('latin1').decode(bytes.slice(pos + 8, pos + 8 + length));
        const cut = body.indexOf(String.fromCharCode(0));
        if (body.slice(0, cut) === 'lstm-frame') return JSON.parse(body.slice(cut + 1));
      }
      pos += 12 + length;
    }
    return null;
  };
  return true;
}
"""
JS_FRAME_OF = "async (url) => window.__lstmFrame ? await window.__lstmFrame(url) : null"

# Arm a widget before a move: note the image's current src, then the time of the learner's input
# (key, release of a drag, change of a select), of the first new src, and of its decoding (load).
JS_ARM = """
(root) => {
  const fig = root.querySelector('.lstm-figure');
  const img = fig.querySelector('img');
  const st = {t0: null, t1: null, t2: null, src: null, old: img ? img.getAttribute('src') : null,
              errors: (window.__lstmIopubErrors || []).length};
  const mark = () => { if (st.t0 === null) st.t0 = performance.now(); };  // the first input after arming
  // On window, capturing: before any handler of the page, so t0 is the input itself (for a drag,
  // the press: with continuous updates the first new image comes while the pointer still moves).
  const events = ['keydown', 'pointerdown', 'pointerup', 'mouseup', 'change'];
  events.forEach(ev => window.addEventListener(ev, mark, true));
  const loaded = () => { if (st.t1 !== null && st.t2 === null) st.t2 = performance.now(); };
  const check = () => {
    const now = fig.querySelector('img');
    if (now && now.getAttribute('src') && now.getAttribute('src') !== st.old && st.t1 === null) {
      st.t1 = performance.now(); st.src = now.getAttribute('src');
      now.addEventListener('load', loaded, {once: true});
      if (now.complete && now.naturalWidth > 0) loaded();
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(fig, {childList: true, subtree: true, attributes: true, attributeFilter: ['src']});
  st.disarm = () => { obs.disconnect(); events.forEach(ev => window.removeEventListener(ev, mark, true)); };
  window.__lstmMove = st;
}
"""

JS_MOVE_STATE = "() => { const s = window.__lstmMove; return {t0: s.t0, t1: s.t1, t2: s.t2, src: s.src}; }"
# Done waiting: a new image arrived, or the kernel reported an error.
JS_MOVE_DONE = ("() => (window.__lstmMove.t1 !== null && window.__lstmMove.t2 !== null) || "
                "(window.__lstmIopubErrors || []).length > window.__lstmMove.errors")

# A long drag: every new src of the figure's image with the time it came, every readout text with
# its time, and the time of the pointer's release.
JS_RECORD = """
(root) => {
  const fig = root.querySelector('.lstm-figure');
  const readout = root.querySelector('.lstm-readout');
  const rec = {frames: [], readouts: [], up: null, down: null};
  const img = () => fig.querySelector('img');
  let last = img() ? img().getAttribute('src') : null;
  const obs = new MutationObserver(() => {
    const src = img() && img().getAttribute('src');
    if (src && src !== last) { last = src; rec.frames.push({t: performance.now(), src}); }
  });
  obs.observe(fig, {childList: true, subtree: true, attributes: true, attributeFilter: ['src']});
  let text = readout.innerText;
  const robs = new MutationObserver(() => {
    if (readout.innerText !== text) { text = readout.innerText; rec.readouts.push({t: performance.now(), text}); }
  });
  robs.observe(readout, {childList: true, subtree: true, characterData: true});
  const up = () => { rec.up = performance.now(); };
  const down = () => { if (rec.down === null) rec.down = performance.now(); };
  window.addEventListener('pointerup', up, true);
  window.addEventListener('pointerdown', down, true);
  rec.stop = () => { obs.disconnect(); robs.disconnect(); window.removeEventListener('pointerup', up, true);
                     window.removeEventListener('pointerdown', down, true); };
  window.__lstmRecord = rec;
}
"""
JS_RECORDED = """
async () => {
  const rec = window.__lstmRecord; rec.stop();
  const frames = [];
  for (const f of rec.frames) frames.push({t: f.t, frame: await window.__lstmFrame(f.src)});
  return {frames, readouts: rec.readouts, up: rec.up, down: rec.down, now: performance.now()};
}
"""

# The figure's image: its pixels against its size on the page (2 means crisp on a 2x screen).
JS_DENSITY = """
(root) => { const img = root.querySelector('.lstm-figure img');
            const w = img.getBoundingClientRect().width;
            return w > 0 ? img.naturalWidth / w : null; }
"""
JS_DISARM = "() => { if (window.__lstmMove) window.__lstmMove.disarm(); }"


if __name__ == "__main__":
    for path in widget_notebooks():
        print(path.relative_to(ROOT))
