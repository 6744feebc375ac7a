"""Figures: one style (`style`), plots of series and measurements (`plotting`), computation
graphs (`diagrams`). Imports neither code wing."""
