"""Auto-QA detectors: explainable rules that answer scorecard criteria from the transcript.

Compile a scorecard once (:func:`compile.compile_scorecard`) and evaluate many
conversations with it; :func:`registry.compile_detector` compiles one configuration.
Families, parameters and the verdict → value mapping: ``docs/detectors.md``.
"""
