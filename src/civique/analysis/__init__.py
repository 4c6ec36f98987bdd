"""Text analysis: what a message says about aggression, personal and health data, spam.

Plain functions over text, with no database and no Django model: the ingest pipeline runs them
before its write transaction and stores the result on the message (``Message.analysis``), and
``civique analyse`` runs them over JSON lines. See ``base`` for the result's shape and labels.
"""
