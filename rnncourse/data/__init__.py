"""Task and corpus generators: seeded by an int or a np.random.Generator passed in, float64
arrays and int64 ids, no torch (see `tasks`)."""
