"""rnncourse: the helper package of the open course on recurrent neural networks.

Import modules, not their contents, from the wing that holds them::

    from rnncourse import shapes, gradcheck
    from rnncourse.classical import ar, hmm
    from rnncourse.scratch import rnn, charlm
    from rnncourse.models import lstm, train

Top level (what every wing uses):

    shapes      shape checks with error messages that name the argument and the shape
    gradcheck   numerical gradient checking by centred differences
    repro       the base seed and thread count of a run (RNNCOURSE_SEED, OMP_NUM_THREADS)

The wings, each listing its modules in its own docstring:

    classical/  baselines before RNNs: AR, HMM, n-grams, sliding windows, ridge (NumPy)
    scratch/    hand-written NumPy networks and their backwards, attention and search
    models/     torch modules, decoding, the one training loop and the one seeding helper
    data/       task and corpus generators (seeded, NumPy, no torch)
    analysis/   measurements of models: gradient flow, decoding, attention, cells
    viz/        figures
    studies/    every study a chapter quotes: its code, one runner, one results schema
    grading/    the exercise sets' checks and the nbgrader extension that grades them

The same idea has the same module name in both code wings (`scratch.lstm` is the NumPy
LSTM with its backward, `models.lstm` the torch module computing the same function;
`scratch.search` and `models.search` decode, one hypothesis at a time and batched, with
the special ids and output mask of `data.specials`, which both import).
Import rules, checked by `tests/course/test_layout.py`: `scratch` and `classical` never import
torch; `data` imports neither `models` nor torch; `viz` imports neither code wing;
`grading` imports no other wing and no torch; `studies` imports neither `viz` nor
`grading`. `tests/course/test_layout.py` also keeps these docstrings in step with the files.
"""

__version__ = "0.2.0"
