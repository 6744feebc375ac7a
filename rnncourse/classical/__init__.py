"""Baselines before recurrent networks: AR models, HMMs, n-grams, sliding windows, ridge
read-outs (NumPy and SciPy only)."""
