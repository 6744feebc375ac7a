"""The hand-written NumPy networks of the course and their backward passes (no torch):
ops, rnn, readout, bptt, optim, sampling, training, remedies, lstm, gru."""
