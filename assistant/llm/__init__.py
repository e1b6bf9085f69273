"""The model: a `Drafter` protocol with an offline and an Anthropic implementation."""
