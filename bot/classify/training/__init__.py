"""Training and evaluating the learned classifier (needs the ``train`` extra: scikit-learn).

The repository keeps ids and labels only (``labels/*.jsonl`` beside this file); the text is
read from the shared corpus and pool (``../shared`` next to the project, or ``--shared``).
Nothing here is imported by the running bot.
"""
