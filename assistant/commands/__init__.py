"""Command groups of the `nurture` CLI, one module per noun; cli.py registers them."""
