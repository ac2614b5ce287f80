"""The README's list of notebooks is what tools/front_page.py writes from the notebooks now, and says the right things."""

import base64
import io
import json
import pathlib
import sys

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import front_page as fp  # noqa: E402

v4 = nbformat.v4


def test_the_readme_lists_every_notebook_as_the_tool_writes_it():
    problems = fp.stale()
    assert not problems, "; ".join(problems) + " (run python tools/front_page.py)"
    readme = fp.README.read_text()
    for path in fp.numbered():
        assert f"notebooks/{path.name}" in readme and f"notebooks/practice/{path.name}" in readme


def _png(width, height, color=(0, 114, 178)):
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


def _lesson():
    md, code = v4.new_markdown_cell, v4.new_code_cell
    first = code("show(fig, 'a first figure')")
    first.outputs = [v4.new_output("execute_result", execution_count=1, data={
        "text/html": f'<img src="data:image/png;base64,{_png(700, 350)}" alt="The first figure." width="700">'})]
    key = code("show(fig, 'the key figure')")
    key.metadata["tags"] = ["key-figure"]
    key.outputs = [v4.new_output("execute_result", execution_count=2, data={
        "text/html": f'<img src="data:image/png;base64,{_png(800, 200, (213, 94, 0))}" alt="It&#x27;s the key one." width="800">'})]
    return v4.new_notebook(cells=[
        md("# 09 · A language model\n\nbadges"),
        md("## What you will do\n- things\n\n## What you will learn\n- How a vocabulary is built, and why it is small.\n"
           "- What temperature does to sampling: softer or sharper.\n\n## What you need\n- Notebook 08.\n"
           "- About 35 minutes."),
        code("from lstm_lessons.widgets.temperature import TemperatureWidget  # a widget\n"
             "from lstm_lessons.widgets import (ForgetGateDemo,\n    GatePlayground)"),
        code("demo = TemperatureWidget()\ndemo"), first, key,
    ])


def test_an_entry_says_what_the_notebook_teaches_shows_takes_and_where_to_open_it():
    nb = _lesson()
    path = ROOT / "notebooks" / "09_a_language_model.ipynb"
    text = fp.entry(path, nb, {"09_a_language_model.ipynb": 23.4}, "2-core CPU, one torch thread")
    assert text.startswith("### [09 · A language model](notebooks/09_a_language_model.ipynb)")
    assert "**Teaches:** how a vocabulary is built; what temperature does to sampling." in text
    assert "`TemperatureWidget`" in text and "ForgetGateDemo" not in text, "widgets the code makes, not those it imports"
    assert "runs in 23 s (2-core CPU, one torch thread)" in text and "about 35 minutes to study" in text
    assert 'alt="It&#x27;s the key one."' in text, "the thumbnail is the key figure, with its alt text"
    for link in ("colab.research.google.com", "mybinder.org", "notebooks/practice/09_a_language_model.ipynb",
                 "slides/09_a_language_model.slides.html"):
        assert link in text
    png, alt = fp.key_figure(nb)
    from PIL import Image
    small = Image.open(io.BytesIO(fp.thumbnail(png)))
    assert small.size == (fp.THUMB_WIDTH, fp.THUMB_WIDTH // 4) and alt == "It's the key one."
    assert "not measured yet" in fp.entry(path, nb, {}, "")


def test_the_section_is_replaced_and_the_rest_kept():
    readme = f"# Title\n\nintro\n\n{fp.START}\nold\n{fp.END}\n\n## After\n"
    assert fp.replace_section(readme, f"{fp.START}\nnew\n{fp.END}") == f"# Title\n\nintro\n\n{fp.START}\nnew\n{fp.END}\n\n## After\n"
    with pytest.raises(ValueError, match="markers"):
        fp.replace_section("# no markers\n", "x")


def test_runtimes_come_from_the_benchmark_file(tmp_path, monkeypatch):
    bench = tmp_path / "notebooks.json"
    bench.write_text(json.dumps({"machine": {"cpus": 2}, "notebooks": [
        {"notebook": "notebooks/01_vanilla_rnn.ipynb", "wall_s": 12.5, "peak_mib": 300, "passed": True}]}))
    monkeypatch.setattr(fp, "BENCH", bench)
    times, where = fp.runtimes()
    assert times == {"01_vanilla_rnn.ipynb": 12.5} and where.startswith("2-core")


def test_what_a_notebook_teaches_is_the_main_clause_of_each_item():
    cut = fp._first_clause
    assert cut("What dropout, weight tying and activation regularisation do, and what they did here.") == \
        "What dropout, weight tying and activation regularisation do", "a list is not cut; a new clause is"
    assert cut("How a layer stores its gates (stacked rows, in order $i, f, g, o$) and how many: $4H$.") == \
        "How a layer stores its gates (stacked rows, in order $i, f, g, o$) and how many", "brackets and math are skipped"
    assert cut("What `output`, `h_n` and `c_n` hold, and how they relate.") == "What `output`, `h_n` and `c_n` hold"
    long = "The names of the parts (`x, h, c`), " + "the other names books give them " * 5
    assert cut(long) == "The names of the parts (`x, h, c`)", "a long clause stops at its first comma"
    assert cut("word " * 60).endswith(" ...") and len(cut("word " * 60)) <= 145
