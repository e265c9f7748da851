"""The Plaid emulator, served on loopback for the tests that need it."""
