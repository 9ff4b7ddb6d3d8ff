"""IR + results -> insight into models.

The public-service analyses (ledger, comparisons and cost shunts, conservation, journeys)
live with the rest of that layer in :mod:`wholesystem.system`, one layer down.
"""
