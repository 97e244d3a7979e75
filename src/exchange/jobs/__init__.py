"""Deferred and periodic jobs: the ``jobs`` table, :mod:`.queue` to enqueue, :mod:`.runner` to run them.

The list of what runs is :mod:`exchange.scheduled`."""
