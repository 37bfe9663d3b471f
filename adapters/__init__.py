"""Platform adapters: each turns its platform's events into core commands and renders replies."""
