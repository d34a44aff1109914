"""Runs inside a lesson's kernel (imported by tests/test_student_copies.py): asks each exercise's
checker about wrong answers and reports what it says, so that the test can check that no message
gives the right answer away.

For an exercise cell the test injects, after the student copy's stub cell, a call

    _cl_probe.probe(globals(), cell=..., solution=..., before=..., call=..., names=[...])

which runs the reference solution in a *copy* of the kernel's namespace (the student copy's own
state is left as a student would have it), records the right answer, then re-runs the checker
call with wrong answers of the same type (and with ``...``, the placeholder) and prints one line
``CL-PROBE {json}`` with the messages and the ways the right answer could be printed.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import numbers
import re

MARK = "CL-PROBE "
NONSENSE = "not-an-option"


def _run(code: str, ns: dict) -> None:
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        code = shell.transform_cell(code)
    exec(compile(code, "<exercise>", "exec"), ns)


def _shown(value) -> str:
    """What the notebook would show for the checker's result (its text/plain)."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        data, _ = shell.display_formatter.format(value)
        return data.get("text/plain", repr(value))
    return repr(value)


def ask(ns: dict, before: str, call: str) -> dict:
    """Run the checker call in ``ns``; return its verdict and everything it printed or said."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            if before.strip():
                _run(before, ns)
            value = eval(compile(call, "<checker>", "eval"), ns)
    except Exception as exc:  # a checker that crashes on a wrong answer is reported by the test
        return {"raised": f"{type(exc).__name__}: {exc}", "message": out.getvalue() + str(exc), "correct": False}
    shown = "" if value is None else _shown(value)
    return {"raised": None, "message": out.getvalue() + shown, "correct": bool(getattr(value, "correct", value))}


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def wrong_answers(right) -> list[tuple[str, object]]:
    """Obviously wrong answers of the same type as ``right`` (with a label each), and ``...``."""
    wrong: list[tuple[str, object]] = [("the placeholder ...", ...)]
    if isinstance(right, bool):
        wrong.append(("the other truth value", not right))
    elif _is_number(right):
        x = float(right)
        if isinstance(right, numbers.Integral):
            wrong += [("one more", type(right)(int(right) + 1)), ("far off", type(right)(int(right) * 3 + 17))]
            if int(right) not in (0, -1):
                wrong.append(("the opposite sign", type(right)(-int(right))))
        else:
            wrong += [("10% off", type(right)(x * 1.1 + 0.1)), ("far off", type(right)(-3.0 * x - 7.25))]
    elif isinstance(right, str):
        wrong.append(("a string that is not an option", NONSENSE))
    elif isinstance(right, dict):
        if right:
            first = next(iter(right))
            changed = dict(right)
            inner = [w for label, w in wrong_answers(right[first]) if label != "the placeholder ..."]
            if inner:
                changed[first] = inner[-1]
                wrong.append(("one entry changed", changed))
            wrong.append(("one entry missing", {k: v for k, v in right.items() if k != first}))
        wrong.append(("empty", {}))
    elif isinstance(right, (set, frozenset)):
        items = sorted(right, key=repr)
        kind = type(right)
        wrong.append(("empty", kind()))
        if len(items) > 1:
            wrong.append(("one item missing", kind(items[1:])))
        wrong.append(("an extra item", kind(list(items) + [NONSENSE])))
    elif isinstance(right, (list, tuple)):
        # an ordered answer, such as a (variable, sign) pair: change one position at a time
        kind = list if isinstance(right, list) else tuple
        for position, item in enumerate(right):
            for label, other in wrong_answers(item)[1:]:
                changed = list(right)
                changed[position] = other
                wrong.append((f"item {position} {label}", kind(changed)))
        wrong.append(("empty", kind()))
    else:
        try:
            import numpy as np

            if isinstance(right, np.ndarray) and right.dtype.kind in "fiu":
                wrong.append(("shifted", right + 1.5))
        except ImportError:
            pass
    return wrong


def printed_forms(value) -> list[str]:
    """Ways the answer ``value`` would be written in a message (numbers at several roundings)."""
    if value is None or value is ...:
        return []
    if isinstance(value, bool):
        return [str(value)]
    if _is_number(value):
        x = float(value)
        if not math.isfinite(x):
            return [str(x)]
        forms = {repr(x), f"{x:.2g}", f"{x:.3g}", f"{x:.4g}", f"{x:.1f}", f"{x:.2f}", f"{x:.3f}", f"{x:g}"}
        if x == int(x):
            forms.add(str(int(x)))
        if isinstance(value, numbers.Integral):
            forms = {str(int(value))}
        # a zero is not something a message can give away by printing "0"
        return sorted(f for f in forms if re.sub(r"[-+0.]", "", f))
    if isinstance(value, str):
        if not value.strip():
            return []
        # a one- or two-letter name (a variable 'E') alone would match any mention of it: look for it quoted
        return [value] if len(value.strip()) > 2 else [repr(value), f'"{value}"']
    if isinstance(value, dict):
        entries = [f"{k!r}: {v!r}" for k, v in value.items()] + [f"{k}: {v}" for k, v in value.items()]
        in_order = [", ".join(str(v) for v in value.values())] if len(value) > 1 else []
        return [repr(value), str(dict(sorted(value.items(), key=repr)))] + entries + in_order
    if isinstance(value, (list, tuple)):
        return [repr(tuple(value)), repr(list(value)), "(" + ", ".join(str(v) for v in value) + ")"]
    if isinstance(value, (set, frozenset)):
        items = sorted(value, key=repr)
        if not items:
            return ["set()", "[]", "{}"]
        if len(items) == 1:
            # a one-letter variable name alone would match any mention of that variable: look for it quoted
            alone = [str(items[0])] if len(str(items[0])) > 2 else []
            return [repr(items[0]), repr(set(items)), repr(items)] + alone
        names = [str(i) for i in items]
        return [repr(set(items)), repr(items), repr(tuple(items)), ", ".join(names), " and ".join(names),
                ", ".join(names[:-1]) + " and " + names[-1], "{" + ", ".join(names) + "}"]
    return [repr(value)]


def probe(ns: dict, *, cell: int, solution: str, before: str, call: str, names: list[str]) -> None:
    """Run the checker of one exercise with wrong answers; print ``CL-PROBE {json}``."""
    record: dict = {"cell": cell, "names": names, "error": None, "trials": []}
    try:
        base = dict(ns)
        _run(solution, base)
        missing = [n for n in names if n not in base]
        if missing:
            raise NameError(f"the solution does not define {', '.join(missing)}")
        record["right"] = ask(dict(base), before, call)
        for name in names:
            right = base[name]
            forms = printed_forms(right)
            record.setdefault("forms", {})[name] = forms
            record.setdefault("types", {})[name] = type(right).__name__
            for label, wrong in wrong_answers(right):
                trial = dict(base)
                trial[name] = wrong
                result = ask(trial, before, call)
                result.update(name=name, label=label, wrong=repr(wrong)[:200])
                record["trials"].append(result)
                # an answer that is not one of the options: the checker lists the options; try each other one
                if label == "a string that is not an option":
                    options = quoted(result["message"])
                    for option in sorted(set(options) - {right, NONSENSE}):
                        trial[name] = option
                        other = ask(dict(trial), before, call)
                        other.update(name=name, label=f"the other option {option!r}", wrong=repr(option))
                        record["trials"].append(other)
    except Exception as exc:
        record["error"] = f"{type(exc).__name__}: {exc}"
    print(MARK + json.dumps(record, default=str))


def quoted(message: str) -> list[str]:
    """The quoted strings in a message (how check_choice lists the options)."""
    return [a or b for a, b in re.findall(r"'([^']*)'|\"([^\"]*)\"", message)]
