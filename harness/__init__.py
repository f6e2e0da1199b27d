"""The test and benchmark tooling of digitapp: never installed, never imported by the app.

``display`` runs a private Xvfb, ``window`` drives the real window with Tk
or xdotool pointer events, ``shapes`` holds the hand-made digits every test
and benchmark draws, ``drawn`` turns MNIST digits into mouse drawings, and
``first_frame`` and ``screenshot`` are scripts (``python -m harness.NAME``).
Run from the repository root, beside ``digitapp``, ``bench`` and ``tests``.
"""
