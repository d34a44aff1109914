"""The one frame every lesson's widget is built on, and the one contract its update function keeps.

**The update contract.**  Each widget module has one plain update function,
``<thing>_update(<the controls' values>, *, <fixed options>, draw=True, figure=None)``, that
needs no widget and returns a :class:`View`: the ``readout`` (one line or a short
paragraph of plain text), the ``figure`` (a pyplot figure, or None with
``draw=False``), ``values`` (the lesson's numbers; a view reads like a
mapping of them, ``view["name"]``) and, for a widget that shows more than a readout and a figure,
``panels`` (HTML by CSS class, e.g. a table).  ``figure`` is a figure an earlier call
returned: the update draws the new view on it (its panels stay, the data is
painted anew: :func:`causal_lessons.plotting.painted_figure`), which is faster than a
new figure; without it the update makes a new one.  The tests, the benchmark
(``tools/bench_widgets.py``) and the static figure before each widget call it
directly.

**The frame.**  :class:`WidgetFrame` lays out the controls, the readout (an
``HTML`` widget with CSS class ``cl-readout``), the figure area (an ``Output``
with class ``cl-output``) and any panels; it calls the update with every
control's value whenever one changes (:func:`call_update`, with the last view's
figure), shows the figure as the PNG of :func:`figure_image` (drawn once and cropped
to what it shows, with the figure's alt text,
:func:`causal_lessons.plotting.describe_figure`), closes every figure in pyplot (the
frame alone keeps the last one, to draw the next view on), and if an update raises
it shows the error as a message in the readout instead of a traceback.  The
benchmark (``tools/bench_widgets.py``) times :func:`call_update` and
:func:`figure_image`, what the frame does.  A widget driven by buttons (a game) keeps
its own state and calls :meth:`WidgetFrame.refresh`.

ipywidgets, IPython and matplotlib are imported when a frame is built, so
importing this module is cheap.
"""

from __future__ import annotations

import html
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["View", "WidgetFrame", "slider", "range_values", "error_message", "figure_png", "figure_image",
           "takes_figure", "call_update"]

#: Blank space kept around what a figure shows when the frame crops it (inches; IPython's ``bbox_inches="tight"`` pad).
PAD_INCHES = 0.1


@dataclass(frozen=True)
class View(Mapping):
    """What an update function returns: the readout, the figure, the lesson's numbers, extra HTML panels.

    A view is also a read-only mapping of its ``values`` (``view["name"]``,
    ``"name" in view``, ``view.get``, ``dict(view)``), so code written for the
    lesson's numbers, such as a checker, reads it like a dict.
    """

    readout: str
    figure: Any = field(default=None, compare=False, repr=False)
    values: Mapping[str, Any] = field(default_factory=dict)
    panels: Mapping[str, str] = field(default_factory=dict, repr=False)

    def __getitem__(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise KeyError(f"this view has no value {key!r}; it has {', '.join(map(repr, self.values))} "
                           "(and the attributes readout and figure).") from None

    def __contains__(self, key: object) -> bool:
        return key in self.values

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def error_message(error: BaseException) -> str:
    """The readout shown when an update raises: the error's own message (they speak to a student), no traceback."""
    text = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
    return f"This setting cannot be shown: {text or type(error).__name__}"


def figure_png(fig) -> tuple[bytes, dict] | None:
    """The PNG a frame shows for ``fig``, and its ``image/png`` metadata (``{"alt": ...}``, the alt text).

    The figure is drawn once, at its own size and resolution (Agg, as the notebook's
    inline backend), and the picture is cropped to what it shows plus
    :data:`PAD_INCHES`; the alt text is :func:`~causal_lessons.plotting.describe_figure`
    of the drawn figure (its tick labels are known then).  IPython's
    ``bbox_inches="tight"`` would draw the figure twice to find the same crop; a
    figure must therefore fit its canvas (a layout fixed when it is made, or
    ``tight_layout``).  An empty figure (no axes) gives None, as in IPython.
    """
    import io

    from matplotlib.colors import to_rgba
    from PIL import Image

    from ..plotting import alt_text_metadata

    if not fig.axes and not fig.lines:
        return None
    renderer = shared_renderer(fig)
    fig.draw(renderer)                                # what FigureCanvasAgg.draw does, on the shared renderer
    pixels = np.asarray(renderer.buffer_rgba())
    background = np.array([round(255 * c) for c in to_rgba(fig.get_facecolor())], dtype=np.uint8)
    ink = (pixels != background).any(axis=-1)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size:
        pad = int(round(PAD_INCHES * fig.dpi))
        pixels = pixels[max(rows[0] - pad, 0):rows[-1] + pad + 1, max(cols[0] - pad, 0):cols[-1] + pad + 1]
    if pixels[..., 3].min() == 255:                  # opaque (the course's white background): RGB is smaller
        pixels = pixels[..., :3]
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(out, format="png", compress_level=3)
    return out.getvalue(), alt_text_metadata(fig)


#: One Agg renderer per figure size, shared by every figure the frames draw (see :func:`shared_renderer`).
_RENDERERS: dict[tuple[float, float, float], Any] = {}


def shared_renderer(fig):
    """An Agg renderer for ``fig``'s size and resolution, cleared, shared by every figure of that size.

    Matplotlib caches the size of every piece of text it lays out (and every
    formula it parses) per renderer, and a new figure's canvas makes a new
    renderer: drawing the figures of successive updates on one renderer lets
    them reuse the layout of the labels, ticks and titles they share.
    """
    from matplotlib.backends.backend_agg import RendererAgg

    width, height = fig.bbox.size
    key = (float(width), float(height), float(fig.dpi))
    renderer = _RENDERERS.pop(key, None)
    if renderer is None:
        renderer = RendererAgg(width, height, fig.dpi)
    _RENDERERS[key] = renderer                          # most recently used last
    while len(_RENDERERS) > 8:
        del _RENDERERS[next(iter(_RENDERERS))]
    renderer.clear()
    return renderer


def figure_image(fig):
    """What the frame displays for a view's figure: an ``IPython.display.Image`` of :func:`figure_png`
    (carrying the alt text as its ``image/png`` metadata), or None for no figure."""
    from IPython.display import Image

    png = None if fig is None else figure_png(fig)
    if png is None:
        return None
    data, metadata = png
    return Image(data=data, format="png", metadata=metadata)


def takes_figure(update: Callable[..., View]) -> bool:
    """Whether ``update`` takes a ``figure`` keyword: a figure an earlier call returned, to draw the new view on."""
    try:
        return "figure" in inspect.signature(update).parameters
    except (TypeError, ValueError):                     # a callable without a signature
        return False


def call_update(update: Callable[..., View], arguments: Mapping[str, Any], figure: Any = None) -> View:
    """Call ``update(**arguments)`` as a frame does, and check that it returns a :class:`View`.

    ``figure`` is the last view's figure: an update that takes a ``figure`` keyword
    gets it and draws the new view on it (faster than making a new figure, see
    :func:`causal_lessons.plotting.painted_figure`).
    """
    if figure is not None and takes_figure(update):
        arguments = {**arguments, "figure": figure}
    view = update(**arguments)
    if not isinstance(view, View):
        raise TypeError(f"the update function must return a View, got {type(view).__name__}.")
    return view


def range_values(bounds: tuple[float, float, float]) -> np.ndarray:
    """Every value a slider with ``bounds = (low, high, step)`` can take, low to high.

    >>> range_values((20, 100, 20)).tolist()
    [20, 40, 60, 80, 100]
    >>> range_values((0.0, 1.0, 0.25)).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    low, high, step = bounds
    count = int(round((high - low) / step)) + 1
    if all(isinstance(b, (int, np.integer)) for b in bounds):
        return low + step * np.arange(count)
    return np.linspace(low, high, count)


def slider(bounds: tuple[float, float, float], value: float, description: str, *, readout_format: str | None = None,
           continuous: bool = False):
    """An ``IntSlider`` (whole-number bounds) or ``FloatSlider`` over ``bounds = (low, high, step)``.

    By default it reports its value when released (``continuous_update=False``), so an
    update runs once per move, not on every pixel.
    """
    import ipywidgets as widgets

    low, high, step = bounds
    kwargs = {"value": value, "min": low, "max": high, "step": step, "description": description,
              "continuous_update": continuous, "style": {"description_width": "initial"}}
    if all(isinstance(b, (int, np.integer)) for b in bounds):
        return widgets.IntSlider(**kwargs)
    return widgets.FloatSlider(readout_format=readout_format or ".2f", **kwargs)


class WidgetFrame:
    """Controls, a readout, a figure area and optional HTML panels around one update function.

    * ``update``: called as ``update(**{name: control.value})``; returns a :class:`View`.
      Bind the fixed options (and any state a game keeps) with a closure or
      :func:`functools.partial`.
    * ``controls``: ``{keyword: widget}``; a change of any widget's ``value`` calls the update.
    * ``rows``: what to show above the readout, top to bottom: each item a widget or
      a list of widgets (one row); default: the controls in one row.
    * ``sections``: the order of the parts below the rows: ``"readout"``, ``"figure"``
      and the CSS class of each HTML panel the views fill (``view.panels[cls]``).
    * ``name``: adds the CSS classes ``<name>-widget``, ``<name>-readout`` and
      ``<name>-output`` (the browser tests find a lesson's widget by them).
    * ``on_view``: called with each new view, first (e.g. to enable or disable buttons);
      the controls it changes do not call the update again.

    Each view is shown in this order: ``on_view``, the figure, the panels, and last the
    readout, so that when the readout changes everything else already shows the same view.
    Every figure an update opens is closed in pyplot afterwards; if the update takes a
    ``figure`` keyword, the frame keeps the last view's figure and passes it to the next
    update to draw on (after an error, the next update makes a new one).
    The first update runs at once and is not caught (wrong arguments to a builder
    raise); later ones that raise show :func:`error_message` in the readout.
    ``frame.widget`` is what a builder returns.
    """

    def __init__(self, update: Callable[..., View], controls: Mapping[str, Any] | None = None, *,
                 rows: Sequence[Any] | None = None, sections: Sequence[str] = ("readout", "figure"),
                 name: str | None = None, on_view: Callable[[View], None] | None = None):
        import ipywidgets as widgets

        if not callable(update):
            raise TypeError(f"update must be a function that returns a View, got {type(update).__name__}.")
        if "readout" not in sections or "figure" not in sections or len(set(sections)) != len(sections):
            raise ValueError(f"sections must name 'readout' and 'figure' once each, got {list(sections)}.")
        self.update, self.on_view = update, on_view
        self.controls = dict(controls or {})
        self.readout = widgets.HTML()
        self.output = widgets.Output()
        self.panels = {cls: widgets.HTML() for cls in sections if cls not in ("readout", "figure")}
        self.view: View | None = None
        self.error: BaseException | None = None
        self._held = False
        # the last view's figure, closed in pyplot and drawn again by the next update if it takes a figure
        self._reuses_figure = takes_figure(update)
        self._figure = None
        for cls, panel in self.panels.items():
            panel.add_class(cls)
        parts = {"readout": self.readout, "figure": self.output, **self.panels}
        rows = [list(self.controls.values())] if rows is None else rows
        children = [widgets.HBox(list(row)) if isinstance(row, (list, tuple)) else row for row in rows]
        self.widget = widgets.VBox(children + [parts[s] for s in sections])
        for part, kind in ((self.widget, "widget"), (self.readout, "readout"), (self.output, "output")):
            part.add_class(f"cl-{kind}")
            if name:
                part.add_class(f"{name}-{kind}")
        for control in self.controls.values():
            control.observe(self._changed, names="value")
        self.refresh(raise_errors=True)

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments the next update gets: every control's value."""
        return {key: control.value for key, control in self.controls.items()}

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Inside ``with frame.hold():`` changing a control does not call the update."""
        held, self._held = self._held, True
        try:
            yield
        finally:
            self._held = held

    def _changed(self, _change) -> None:
        if not self._held:
            self.refresh()

    def refresh(self, *, raise_errors: bool = False) -> View | None:
        """Call the update with the controls' values and show its view; returns it (None if it raised)."""
        import matplotlib.pyplot as plt
        from IPython.display import display

        before = set(plt.get_fignums())
        try:
            view = call_update(self.update, self.arguments(), self._figure)
            # the readout changes last: when it shows the new view, the controls, figure and panels already do
            if self.on_view is not None:
                with self.hold():
                    self.on_view(view)
            image = figure_image(view.figure)
            with self.output:
                self.output.clear_output(wait=True)
                if image is not None:
                    display(image)
            for cls, panel in self.panels.items():
                panel.value = view.panels.get(cls, "")
            self.readout.value = html.escape(view.readout, quote=False)
        except Exception as error:
            self._figure = None                         # perhaps half drawn: the next update makes a new one
            if raise_errors:
                raise
            self.error = error
            self.readout.value = html.escape(error_message(error), quote=False)
            self.output.clear_output()
            return None
        finally:
            for number in set(plt.get_fignums()) - before:
                plt.close(number)
        self.view, self.error = view, None
        self._figure = view.figure if self._reuses_figure else None
        return view
