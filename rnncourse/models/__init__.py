"""models/: the torch modules of the course. Models follow
forward(x, targets=None) -> (out, loss); seeds reach them only through `seeding`.

    recurrent    what the recurrent layers share: the NumPy parameter layout, the loop
    rnn, lstm, gru   the layers, the same functions as their `scratch` namesakes
    remedies     the trainable remedies of Chapter 4 (several seeds as members of one module)
    regressor    a recurrent layer with a linear read-out of its last state (Chapter 5)
    charlm       a character-level LSTM language model on nn.LSTM (Chapter 6)
    sequence     padding, masks, packing and pooling of batches of unequal lengths
                 (Chapter 6)
    attention    additive, dot and general attention (Chapter 7)
    seq2seq      the encoder-decoder with and without attention (Chapter 7)
    search       decoding written once: teacher forcing, greedy, beam search, the batched
                 runner (Chapters 7-9)
    vision       a small CNN that gives a grid of feature vectors (Chapter 8)
    captioning   captioners with and without attention over the grid (Chapter 8)
    vqa          visual question answering with the captioner's machinery (Chapter 8)
    transformer  a small Transformer encoder-decoder (Chapter 9)
    linear_rnn   the scan in torch and the layers built on a linear recurrence: the LRU,
                 minGRU and a diagonal state space, time-invariant or selective (Chapter 10)
    tracking     a label at every step over any recurrent layer, nonlinear or linear,
                 for the state-tracking tasks (Chapter 10)
    linear_attention  linear attention and the delta rule, attention as a recurrence with
                 a matrix state (Chapter 10)
    train        the one training loop (Adam, clipping, budgets, schedules)
    seeding      `seeded(seed)`, the one place torch's generator is seeded
"""
