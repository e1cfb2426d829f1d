"""Nastavnik: quality assurance and coaching for customer-support teams."""

__version__ = "0.1.0"
