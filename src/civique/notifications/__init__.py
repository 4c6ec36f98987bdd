"""Agent notifications that respect the right to disconnect (docs/commitments.md)."""
