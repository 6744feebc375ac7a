"""rnncourse: the helper package of the open course on recurrent neural networks.

One module per idea; import the modules, not their contents::

    from rnncourse import ar, hmm, shapes, gradcheck, plotting

Chapter 1: shapes, checks, gradcheck, ar, hmm, windows, ridge, plotting.
Chapters 2-3: rnn, layers, bptt, optim, sampling, chardata, training, ngram, diagrams.
Chapters 4-5: gradflow, remedies, lstm, gru, torch_cells, tasks, benchmark.
"""

__version__ = "0.1.0"
