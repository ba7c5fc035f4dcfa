from node.cli.acenode import main

main()
