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
