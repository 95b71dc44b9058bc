package term

func Check() bool { return checkIfTerminal(1) }
