"""Churn prediction example package."""
