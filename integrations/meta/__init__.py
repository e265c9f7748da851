"""Meta's Messenger Platform: the Send API (Messenger and Instagram direct messages) and the
webhooks that bring customers' messages, over httpx (no Meta SDK in our dependencies)."""
