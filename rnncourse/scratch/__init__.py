"""scratch/: the hand-written NumPy networks of the course and their backward passes
(no torch).

    ops        what every network shares: a stable sigmoid, softmax and log-softmax
    rnn        the tanh RNN: one step, a whole sequence, their backwards (Chapters 2-3)
    readout    the affine read-out over time and the masked softmax loss (Chapter 3)
    charlm     a character-level tanh RNN language model as a dict of arrays, with full
               and truncated BPTT (Chapter 3)
    optim      gradient clipping and parameter updates for dict-of-arrays models
    training   the training loop of that language model (Chapter 3)
    sampling   sampling text with a temperature and top-k (Chapters 3, 7)
    remedies   the remedies that need no training loop: orthogonal and scaled matrices,
               echo-state reservoirs, leaky units (Chapter 4)
    lstm, gru  the gated cells and layers with their backwards (Chapter 5)
    attention  scores, the masked softmax, contexts, scaled dot-product attention
               (Chapters 7-9)
    search     greedy decoding, beam search and brute force, one sequence at a time
               (Chapter 7)
    reinforce  hard attention's gradient by REINFORCE for one categorical choice (Chapter 8)
    scan       the elementwise linear recurrence h_t = a_t * h_{t-1} + b_t as a loop, two
               parallel scans, in log space and in chunks, its backward and work counts
               (Chapter 10)
"""
