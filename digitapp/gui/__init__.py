"""The Tkinter shell of digitapp: it draws and shows, and holds no maths.

``app`` builds the window and runs it, ``canvas`` is the drawing surface,
``drawing`` keeps the strokes (with undo and redo) and their PIL image,
``widgets`` shows a Prediction.  Importing this package imports no Tk, so
``digitapp.gui.drawing`` works without a display.
"""
