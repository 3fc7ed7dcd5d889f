"""Pure alert logic: the rule catalogue, the provider scorecard, routing and deduplication, the Dutch digests.

Nothing here reads the warehouse or sends anything (that is jeugdmonitor/alerts/): frames and settings in,
Alert objects and rendered messages out, so every rule is tested without a database.
"""
