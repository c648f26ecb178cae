"""Training and evaluation of the check-worthiness models that ``claims/extraction/`` runs.

Never imported by the app: the runtime reads only the exported ``.npz`` files in
``claims/extraction/models/``. How to run each script: ``training/README.md``.
"""
