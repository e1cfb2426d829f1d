"""Text processing for Russian (and English) conversations: normalisation, morphology, PII."""
