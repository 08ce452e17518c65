"""`python -m rareonco`: the same CLI as the `rareonco` command."""

from rareonco.cli import main

if __name__ == "__main__":
    main()
