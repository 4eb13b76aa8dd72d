"""Payments: one payment per approved grant, credit-transfer batches to the bank, the bank's reports, recovery."""
