"""Pieces shared by the mutation fixtures (not an exercise set: no MUTATIONS here)."""

# Prepended to "hard-coded visible answer" mutations: a fingerprint of the inputs, so the
# fake answer can recognise the visible test cases and return their stored outputs.
FINGERPRINT = '''
def _key(*args):
    """A fingerprint of the inputs, to recognise the visible test cases."""
    total = 0.0
    for i, a in enumerate(args):
        if isinstance(a, dict):
            a = [float(np.sum(v)) for v in a.values()]
        if callable(a) or isinstance(a, np.random.Generator):
            continue
        total += (i + 1) * float(np.sum(a))
    return round(total, 6)
'''


def swap(source: str, old: str, new: str) -> str:
    """The answer `source` with `old` replaced by `new`; fails loudly if the reference copy
    in a fixture has drifted so that `old` is no longer in it."""
    if old not in source:
        raise ValueError(f"mutation anchor not found: {old!r}")
    return source.replace(old, new)


def hard_coded(source: str, name: str, args: str, visible: str, wrong: str) -> str:
    """The reference `source`, renamed, called only when `visible` (a condition on the
    arguments that holds for the visible test inputs) is true; `wrong` otherwise."""
    return swap(source, f"def {name}(", "def _right(") + f'''

def {name}({args}):
    if {visible}:
        return _right({args})
    return {wrong}
'''
