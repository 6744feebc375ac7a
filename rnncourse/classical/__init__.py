"""classical/: baselines before recurrent networks (NumPy and SciPy only).

    ar       autoregressive models AR(p): fitting, forecasting, the autocovariance
             (Chapter 1)
    hmm      discrete hidden Markov models: sampling, forward, backward, Viterbi,
             Baum-Welch (Chapter 1)
    ngram    count-based character n-grams with add-alpha smoothing (Chapters 3, 6)
    windows  the sliding-window baseline, a 1D convolution over time (Chapters 1, 3, 6)
    ridge    closed-form ridge regression, the read-out of a fixed feature map
             (Chapters 1, 4)
"""
