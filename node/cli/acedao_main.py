"""``python -m node.cli.acedao_main``: the same as the ``acedao`` command."""

from node.cli.acedao import main

main()
