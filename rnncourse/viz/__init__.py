"""Figures: one style (`style`), plots of series (`plotting`), measurements across seeds
(`measures`), computation graphs (`diagrams`). Imports neither code wing."""
