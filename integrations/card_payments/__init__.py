"""Card payments: deposit checkouts, the webhooks that confirm them, and payouts to the bank."""
