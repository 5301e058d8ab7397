from difffuzz._cli import main

main()
