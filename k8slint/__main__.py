from k8slint.console import main

main()
