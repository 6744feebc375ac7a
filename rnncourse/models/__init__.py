"""The torch modules of the course: recurrent layers in the NumPy layout (rnn, lstm, gru
on the shared base `recurrent`), the remedies, the regressor, and the one training loop
(`train`). Models follow forward(x, targets=None) -> (out, loss)."""
