"""rnncourse: the helper package of the open course on recurrent neural networks.

Import modules, not their contents, from the wing that holds them::

    from rnncourse import shapes, gradcheck
    from rnncourse.classical import ar, hmm
    from rnncourse.scratch import rnn, bptt
    from rnncourse.models import lstm, train

Top level (what every wing uses): shapes, gradcheck, repro.

    classical/  baselines before RNNs: ar, hmm, ngram, windows, ridge        (Chapter 1, 3)
    scratch/    hand-written NumPy networks and their backwards: ops, rnn, readout,
                bptt, optim, sampling, training, remedies, lstm, gru         (Chapters 2-5)
    models/     torch modules: recurrent (shared layout), rnn, lstm, gru, remedies,
                regressor, and the one training loop `train`              (Chapters 4-5)
    data/       task and corpus generators (seeded, float64, no torch): tasks, chardata
    analysis/   measurements across the wings: gradflow, longrange           (Chapters 4-5)
    viz/        figures: style, plotting, measures (results across seeds), diagrams
    grading/    the exercise sets' checks (checks, watch, locate) and the nbgrader
                extension that grades them (probe, execute, cells, feedback, export)

The same idea has the same module name in both code wings (`scratch.lstm` is the NumPy
LSTM with its backward, `models.lstm` the torch module computing the same function).
Import rules, checked by `tests/test_layout.py`: `scratch` and `classical` never import
torch; `data` imports neither `models` nor torch; `viz` imports neither code wing;
`grading` imports no other wing and no torch.
"""

__version__ = "0.2.0"
