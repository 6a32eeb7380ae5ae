"""Clients of the shop's external HTTP services."""
