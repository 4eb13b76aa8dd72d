"""Payments: a grant's payment, the payment runs and batches, the bank's reports."""
