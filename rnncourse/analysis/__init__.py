"""analysis/: measurements of trained and untrained models, used by the chapters and studies.

    gradflow       the Jacobians dh_T/dh_k of an RNN, LSTM or GRU against the lag
                   (Chapters 4-5)
    longrange      one run of the long-range benchmark on the adding problem (Chapter 5)
    interpretable  the search for interpretable cells: every unit scored against a known
                   property of the text, against the same search on an untrained network
                   (Chapter 6)
    decoding       teacher-forced against free-running decoding, exact match, BLEU
                   (Chapter 7)
    alignment      whether attention looks where the answer comes from (Chapter 7)
    localisation   whether attention over an image looks at the object named (Chapter 8)
"""
