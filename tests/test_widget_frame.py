"""The shared widget frame and the update contract (causal_lessons.widgets.frame)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

widgets = pytest.importorskip("ipywidgets")

from causal_lessons.widgets.frame import View, WidgetFrame, error_message, range_values, slider  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def square_update(x: float, *, draw: bool = True) -> View:
    """A toy update in the contract's shape: a number, a readout, a figure."""
    if x < 0:
        raise ValueError(f"x must be at least 0, got {x:g}.")
    fig = None
    if draw:
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.plot([0, x], [0, x * x])
    return View(readout=f"x = {x:g}: x² = {x * x:g} <b>&</b>", figure=fig, values={"square": x * x})


def make(**kwargs):
    calls = []

    def update(**values):
        calls.append(values)
        return square_update(**values)

    x = slider((0.0, 3.0, 0.5), 1.0, "x")
    return WidgetFrame(update, {"x": x}, **kwargs), x, calls


def test_view_reads_its_values_by_key():
    view = square_update(2.0, draw=False)
    assert view["square"] == 4.0 and "square" in view and "readout" not in view
    with pytest.raises(KeyError, match="this view has no value 'cube'; it has 'square'"):
        view["cube"]
    assert view == square_update(2.0)                       # the figure does not take part in ==


def test_the_frame_lays_out_controls_readout_and_figure_area():
    frame, x, _ = make(name="toy")
    row, readout, output = frame.widget.children
    assert row.children == (x,)
    assert readout is frame.readout and output is frame.output
    assert {"cl-widget", "toy-widget"} <= set(frame.widget._dom_classes)
    assert {"cl-readout", "toy-readout"} <= set(readout._dom_classes)
    assert {"cl-output", "toy-output"} <= set(output._dom_classes)
    assert type(output).__name__ == "Output" and type(readout).__name__ == "HTML"


def test_the_update_runs_at_once_and_on_every_change_with_the_controls_values():
    frame, x, calls = make()
    assert calls == [{"x": 1.0}]
    x.value = 2.5
    x.value = 0.0
    assert calls == [{"x": 1.0}, {"x": 2.5}, {"x": 0.0}]
    assert frame.view == square_update(0.0, draw=False) and frame.error is None


def test_the_readout_shows_the_views_text_as_text():
    frame, x, _ = make()
    x.value = 1.5
    assert frame.readout.value == "x = 1.5: x² = 2.25 &lt;b&gt;&amp;&lt;/b&gt;"   # escaped: shown as written


def test_an_update_that_raises_shows_a_message_and_the_next_good_one_recovers():
    frame, x, _ = make()
    before = frame.view
    frame.controls["x"].min = -1.0
    x.value = -0.5
    assert frame.readout.value == "This setting cannot be shown: x must be at least 0, got -0.5."
    assert "Traceback" not in frame.readout.value
    assert isinstance(frame.error, ValueError) and frame.view is before
    x.value = 2.0
    assert frame.readout.value.startswith("x = 2: x² = 4") and frame.error is None


def test_an_update_that_returns_something_else_is_reported():
    box = widgets.IntSlider(value=1)
    with pytest.raises(TypeError, match="must return a View, got dict"):
        WidgetFrame(lambda value: {"readout": "no"}, {"value": box})


def test_wrong_arguments_to_a_builder_raise_at_once():
    with pytest.raises(ValueError, match="x must be at least 0"):
        WidgetFrame(square_update, {"x": widgets.FloatSlider(value=-1.0, min=-2.0)})
    assert plt.get_fignums() == []
    with pytest.raises(TypeError, match="update must be a function"):
        WidgetFrame("square", {})
    with pytest.raises(ValueError, match="sections must name 'readout' and 'figure'"):
        WidgetFrame(square_update, {}, sections=("readout",))


def test_no_figure_outlives_its_update():
    frame, x, _ = make()
    for value in list(range_values((0.0, 3.0, 0.5))) * 10 + [-1.0, 1.0]:
        x.min = -1.0
        x.value = value
    assert plt.get_fignums() == []

    def leaky(x):                       # an update that leaves a second figure open is cleaned up after too
        plt.figure()
        return square_update(x)

    WidgetFrame(leaky, {"x": widgets.FloatSlider(value=1.0)})
    assert plt.get_fignums() == []


def test_panels_and_on_view():
    seen = []
    limit = widgets.IntSlider(value=5, min=1, max=10)

    def update(n: int) -> View:
        return View(readout=f"n = {n}", values={"n": n, "half": max(1, n // 2)},
                    panels={"cl-table": f"<table><tr><td>{n}</td></tr></table>"})

    def on_view(view: View) -> None:
        seen.append(view["n"])
        if seen[1:]:          # it runs first: the controls match the readout when that changes
            assert frame.readout.value == f"n = {seen[-2]}" and table.value.startswith(f"<table><tr><td>{seen[-2]}<")
        limit.max = 10 + view["n"]        # changes a control: does not call the update again
        limit.value = view["half"]

    frame = WidgetFrame(update, {"n": limit}, sections=("readout", "figure", "cl-table"), on_view=on_view)
    _, _, _, table = frame.widget.children        # (on_view reads it from the second view on)
    assert "cl-table" in table._dom_classes and table.value == "<table><tr><td>5</td></tr></table>"
    assert seen == [5] and limit.value == 2
    limit.value = 8
    assert seen == [5, 8] and limit.value == 4 and limit.max == 18 and frame.readout.value == "n = 8"


def test_a_frame_driven_by_buttons_refreshes_on_demand():
    moves = []
    button = widgets.Button(description="move")
    frame = WidgetFrame(lambda: View(readout=f"{len(moves)} moves"), rows=[button])
    button.on_click(lambda _b: (moves.append(1), frame.refresh()))
    button.click()
    button.click()
    assert frame.readout.value == "2 moves" and frame.widget.children[0] is button


def test_changes_inside_hold_do_not_call_the_update():
    frame, x, calls = make()
    with frame.hold():
        x.value = 3.0
    assert calls == [{"x": 1.0}] and frame.readout.value.startswith("x = 1:")
    x.value = 0.5
    assert calls[-1] == {"x": 0.5}


def test_sliders_and_their_ranges():
    ints = slider((20, 500, 20), 100, "size")
    floats = slider((0.0, 2.0, 0.1), 1.0, "weight", readout_format=".1f")
    assert type(ints).__name__ == "IntSlider" and type(floats).__name__ == "FloatSlider"
    assert (floats.min, floats.max, floats.step, floats.readout_format) == (0.0, 2.0, 0.1, ".1f")
    assert not ints.continuous_update and slider((0, 1, 1), 0, "x", continuous=True).continuous_update
    assert list(range_values((20, 100, 20))) == [20, 40, 60, 80, 100]
    assert np.array_equal(range_values((0.0, 4.0, 0.1)), np.linspace(0.0, 4.0, 41))


def test_error_messages_speak_to_a_student():
    assert error_message(ValueError("p must be at most 1, got 2.")) == \
        "This setting cannot be shown: p must be at most 1, got 2."
    assert error_message(KeyError("unknown agent 'x'")) == "This setting cannot be shown: unknown agent 'x'"
    assert error_message(ZeroDivisionError()) == "This setting cannot be shown: ZeroDivisionError"


def test_figure_png_draws_the_figure_once_cropped_with_its_alt_text():
    from io import BytesIO

    from PIL import Image

    from causal_lessons.plotting import describe_figure, use_course_style
    from causal_lessons.widgets.frame import PAD_INCHES, figure_png

    with matplotlib.rc_context():
        use_course_style()
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot([0, 1], [0, 1])
        ax.set_title("a line")
        data, metadata = figure_png(fig)
    image = Image.open(BytesIO(data))
    assert data.startswith(b"\x89PNG")
    assert metadata == {"alt": describe_figure(fig)} == {"alt": "a line: straight lines"}
    width, height = image.size
    assert width < 4 * fig.dpi and height < 3 * fig.dpi                  # cropped to what it shows ...
    pixels = np.asarray(image.convert("RGB"))
    pad = int(round(PAD_INCHES * fig.dpi))
    assert (pixels[:pad - 1] == 255).all() and (pixels[:, :pad - 1] == 255).all()   # ... with a white margin
    assert not (pixels[pad + 1] == 255).all() or not (pixels[:, pad + 1] == 255).all()
    assert figure_png(plt.figure()) is None                           # an empty figure shows nothing, as in IPython


def test_figure_image_is_what_the_frame_displays():
    from IPython.core.formatters import DisplayFormatter

    from causal_lessons.widgets.frame import figure_image

    fig, ax = plt.subplots(figsize=(2, 2))
    ax.set_title("shown")
    data, metadata = DisplayFormatter().format(figure_image(fig))
    assert "image/png" in data and metadata == {"image/png": {"alt": "shown"}}    # as a lesson's figures carry it
    assert figure_image(None) is None


def test_the_frame_displays_the_figure_as_a_png_with_its_alt_text(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objects, **_: shown.extend(objects))
    frame, x, _ = make()
    x.value = 2.0
    assert [type(o).__name__ for o in shown] == ["Image", "Image"]
    assert shown[-1].metadata == {"alt": "straight lines"} and shown[-1].data.startswith(b"\x89PNG")
    assert plt.get_fignums() == []


def painted_update(x: float, *, draw: bool = True, figure=None) -> View:
    """A toy update that draws on the last figure it is given (plotting.painted_figure)."""
    from causal_lessons.plotting import painted_figure

    if x < 0:
        raise ValueError(f"x must be at least 0, got {x:g}.")
    fig = None
    if draw:
        fig = painted_figure(figure, lambda: plt.subplots(figsize=(2, 2))[0],
                             lambda f: f.axes[0].plot([0, x], [0, x * x]))
    return View(readout=f"x = {x:g}", figure=fig, values={"square": x * x})


def test_an_update_that_takes_a_figure_draws_each_view_on_the_last_figure():
    from causal_lessons.widgets.frame import call_update, takes_figure

    given = []

    def update(x, figure=None):
        given.append(figure)
        return painted_update(x, figure=figure)

    assert takes_figure(update) and not takes_figure(square_update) and not takes_figure(print)
    x = slider((-1.0, 3.0, 0.5), 1.0, "x")
    frame = WidgetFrame(update, {"x": x})
    first = frame.view.figure
    x.value = 2.0
    x.value = 3.0
    assert given == [None, first, first] and frame.view.figure is first
    assert plt.get_fignums() == []                          # closed in pyplot: the frame alone keeps it
    x.value = -1.0                                          # an error: the next update makes a new figure
    x.value = 0.5
    assert given[-1] is None and frame.view.figure is not first
    view = call_update(square_update, {"x": 1.0}, figure=first)     # an update without figure= does not get it
    assert view["square"] == 1.0
    with pytest.raises(TypeError, match="must return a View, got str"):
        call_update(lambda: "no view", {})
