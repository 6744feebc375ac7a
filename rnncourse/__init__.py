"""rnncourse: the helper package of the open course on recurrent neural networks.

One module per idea; import the modules, not their contents::

    from rnncourse import ar, hmm, shapes, gradcheck, plotting
"""

__version__ = "0.1.0"
