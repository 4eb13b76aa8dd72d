"""Payments: a grant's payment, the batches to the bank, the bank's reports."""
