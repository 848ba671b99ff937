"""Draft stage: from a plan document (.docx, text PDF, .txt) to a ruleset to review.

documents (read and place every paragraph) → text (Vietnamese normalised) → patterns and
sentences (target sentences structured) → dictionary (metrics named) → build (YAML written,
counts of what was structured fully, partly or not). See docs/draft.md.
"""
