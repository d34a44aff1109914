"""Interactive widgets for the lessons, one module per lesson.

Every widget is built by a function that returns the widget; the work is done by
a plain update function (no widget needed) that the tests call directly.
ipywidgets is imported inside the builders, so importing a module is cheap.
"""
