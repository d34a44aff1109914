"""Interactive widgets for the lessons, one module per lesson, named like the lesson's domain module.

Every widget is a plain update function, ``<thing>_update(..., draw=True)``, that
returns a :class:`~causal_lessons.widgets.frame.View` (readout, figure, the lesson's
numbers) and needs no widget, so the tests, the benchmark and each lesson's static
figure call it directly; the builder wraps it in the one
:class:`~causal_lessons.widgets.frame.WidgetFrame`.  ipywidgets is imported when a
widget is built, so importing a module is cheap.
"""
