"""Analytical solutions used as references and screening tools (m, d, mg/L)."""
