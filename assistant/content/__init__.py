"""The content library: its files, the ranker, the ledger, the gaps and the evaluation."""
