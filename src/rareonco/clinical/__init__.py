"""Pure clinical rules: plain typed functions and value objects, no I/O.

Each rule cites its source in its docstring and is tested against the source's worked examples.
"""
