"""The Tkinter shell of digitapp: it draws and shows, and holds no maths.

``app`` builds the window, reads the canvas with the Recognizer and runs
it; ``canvas`` is the drawing surface and ``drawing`` keeps its strokes
(with undo and redo) and their PIL image; ``reading`` shows every digit of
a number and which one is selected; ``widgets`` shows a Prediction (the
answer, its bars, the 28x28 input) and holds the colours and fonts the
panels share; ``inside`` is the look-inside panel (its pictures and words
are made without Tk by :mod:`digitapp.look_inside`); ``personal`` is the
panel and gallery for teaching the app your handwriting; ``scaling`` turns
96-dpi sizes into pixels on any screen.  Importing this package imports no
Tk, so ``digitapp.gui.drawing`` and ``digitapp.gui.scaling`` work without a
display.
"""
