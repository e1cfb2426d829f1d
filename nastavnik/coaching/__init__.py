"""Coaching: for now, mystery shopping (scenarios, visits, results). See docs/mystery-shopper.md."""
