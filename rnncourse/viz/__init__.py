"""viz/: figures; imports neither code wing.

    style      one place for colours and for making axes
    plotting   series, forecasts, HMM posteriors, windows, task diagrams
    measures   measurements across seeds: curves with median and range, seeds side by side
    diagrams   computation graphs of recurrent networks, as boxes and arrows
    coloured   text coloured by a value per character, as HTML (Chapter 6)
    attention  attention as a heatmap, with the true alignment outlined (Chapters 7-8)
"""
