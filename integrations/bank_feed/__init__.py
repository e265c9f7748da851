"""The business's bank account: linking it and syncing its transactions (Plaid)."""
