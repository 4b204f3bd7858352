"""The ``dealradar`` command line."""
