"""Coverage-guided fuzzing of the parsers that take files from outside (`make fuzz`).

See docs/security/fuzzing.md: what each harness feeds, what counts as a
crash, and the figures of the last long run.
"""
