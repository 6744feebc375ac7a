"""data/: task and corpus generators, seeded by an int or a np.random.Generator passed in;
float64 arrays and int64 ids, no torch.

    tasks      synthetic tasks with known answers: delayed recall, recall-the-first-value,
               the adding problem, the copy task (Chapters 1, 4-7, 9)
    chardata   character and token vocabularies, offline corpora, batches that walk a text
               in order (Chapters 2-3, 6-9)
    pysource   Python source with the ground truth of every character, from `tokenize`
               (Chapter 6)
    dates      dates in many human formats and their ISO 8601 form (Chapter 7)
    specials   the special ids, the output mask and the beam's ranking score that every
               decoder shares (Chapters 7-9)
    scenes     rendered scenes with captions, boxes and questions (Chapter 8)
    questions  questions about scenes with their answers, balanced or not (Chapter 8)
"""
