"""Stop outcomes, cash receipts, the double-entry ledger, handover and reconciliation.

Money is integer fen everywhere; every table is append-only (corrections are
new versions and reversing postings). The service API the CLI, the API and
the web app call is :mod:`ledger.service`; see ``docs/ledger.md``.
"""
